"""The OpenAPI document at /api/v1/openapi.json and a reference page rendered from it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template

from web.api.spec import openapi_document

bp = Blueprint("reference", __name__)


@bp.get("/openapi.json")
def openapi_json():
    """Serve the OpenAPI 3.1 document."""
    return jsonify(openapi_document())


@bp.get("/docs")
def reference_page():
    """Show the API reference, rendered on the server from the same document."""
    document = openapi_document()
    return render_template("api_reference.html", doc=document, operations=operations(document))


def operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    """List each operation with its parameters, body fields and answers, schemas resolved."""
    schemas = document["components"]["schemas"]
    listed = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            listed.append(
                {
                    "method": method.upper(),
                    "path": "/api/v1" + path.removeprefix("/api/v1"),
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": operation.get("parameters", []),
                    "body": _fields(_resolve(body.get("schema"), schemas), schemas),
                    "answers": sorted(operation["responses"].items()),
                }
            )
    return listed


def _resolve(schema: dict[str, Any] | None, schemas: dict[str, Any]) -> dict[str, Any]:
    ref = (schema or {}).get("$ref", "")
    return schemas.get(ref.rsplit("/", 1)[-1], {}) if ref else (schema or {})


def _fields(schema: dict[str, Any], schemas: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "type": _type(field),
            "required": name in required,
            "about": field.get("description", ""),
        }
        for name, field in schema.get("properties", {}).items()
    ]


def _type(field: dict[str, Any]) -> str:
    if "anyOf" in field:
        return " or ".join(_type(option) for option in field["anyOf"])
    if "$ref" in field:
        return field["$ref"].rsplit("/", 1)[-1]
    if "enum" in field:
        return " | ".join(str(value) for value in field["enum"])
    return str(field.get("type", "object"))
