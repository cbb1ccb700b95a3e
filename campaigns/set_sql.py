"""Set-based statements that keep their size whatever the number of rows, on both databases.

On PostgreSQL a list of ids or of rows travels as one array per column (`= ANY(:ids)`,
`FROM unnest(...)`), so the statement text stays short and the driver parses it once and
caches it; expanding a 1,000-id `IN (...)` or a 1,000-row `VALUES` list made it parse a
new statement of thousands of placeholders for every batch. SQLite takes the plain forms.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, any_, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def _on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def among(session: Session, column: Any, values: Collection[Any]) -> ColumnElement[bool]:
    """Return `column IN values`, as one array parameter on PostgreSQL."""
    if _on_postgresql(session):
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))  # type: ignore[no-any-return]
    return column.in_(list(values))  # type: ignore[no-any-return]


def _unnested(table: Table, rows: Sequence[dict[str, Any]]) -> Any:
    """Return a subquery of `rows`, one unnest()ed array per column, typed as the table's columns.

    A column with the same value in every row (the batch's `now`, a status) travels once.
    """
    names = list(rows[0])
    same = {name for name in names if all(row[name] == rows[0][name] for row in rows)}
    if same == set(names) and len(rows) > 1:
        same.discard(names[0])  # at least one array, so there are as many rows as given
    columns = []
    for name in names:
        kind = table.c[name].type
        if name in same:
            columns.append(bindparam(None, rows[0][name], type_=kind).label(name))
        else:
            values = [row[name] for row in rows]
            columns.append(func.unnest(bindparam(None, values, type_=ARRAY(kind)), type_=kind).label(name))
    return select(*columns).subquery("rows")


def update_rows(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    key: str = "id",
    where: Sequence[ColumnElement[bool]] = (),
) -> None:
    """Set each row's values on the table's row with the same `key`, in one statement."""
    if not rows:
        return
    columns = [name for name in rows[0] if name != key]
    if _on_postgresql(session):
        source = _unnested(table, rows)
        session.execute(
            update(table)
            .where(table.c[key] == source.c[key], *where)
            .values({name: source.c[name] for name in columns})
        )
        return
    session.execute(
        update(table)
        .where(table.c[key] == bindparam(f"row_{key}"), *where)
        .values({name: bindparam(f"row_{name}") for name in columns}),
        [{f"row_{name}": value for name, value in row.items()} for row in rows],
    )


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert rows in one statement; return their new ids."""
    if not rows:
        return []
    if _on_postgresql(session):
        source = _unnested(table, rows)
        statement = insert(table).from_select(list(rows[0]), select(source)).returning(table.c.id)
        return list(session.scalars(statement))
    return list(session.scalars(insert(table).returning(table.c.id), list(rows)))
