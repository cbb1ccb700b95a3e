"""Bad input to /subscribe: a clear 4xx message for each, never a 500, and nothing stored."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.signup_helpers import FORM, JSON, counts

FORM_CASES = {
    "missing email": ({"email": ""}, "Please enter your email address"),
    "overlong email": ({"email": "a" * 250 + "@example.com"}, "longer than 254"),
    "no at-sign": ({"email": "ada.example.com"}, "not valid"),
    "header injection in email": ({"email": "ada@example.com\r\nBcc: all@example.com"}, "not allowed"),
    "CR/LF in name": ({"first_name": "Ada\r\nBcc: all@example.com"}, "on one line"),
    "control character in name": ({"first_name": "Ada\x00"}, "on one line"),
    "line separator in name": ({"first_name": "Ada\u2028Bcc"}, "on one line"),
    "overlong name": ({"first_name": "A" * 101}, "longer than 100"),
    "no consent": ({"consent": ""}, "Please tick the box"),
}

JSON_CASES = {
    "missing email": ({"email": None}, "email"),
    "email not a string": ({"email": ["ada@example.com"]}, "email"),
    "consent missing": ({"consent": None}, "consent"),
    "consent as a string": ({"consent": "true"}, "consent"),
    "name not a string": ({"first_name": 7}, "first_name"),
    "CR/LF in name": ({"first_name": "Ada\nBcc: x@example.com"}, "first_name"),
    "unknown time zone": ({"timezone": "Mars/Base"}, "timezone"),
    "path as time zone": ({"timezone": "../../etc/passwd"}, "timezone"),
    "overlong source": ({"source": "x" * 501}, "source"),
    "source with a newline": ({"source": "a\nb"}, "source"),
    "unknown field": ({"is_admin": True}, "body"),
}


@pytest.mark.parametrize("case", FORM_CASES)
def test_bad_form_input_is_refused_with_a_message(case: str, client, db: Session) -> None:
    changes, message = FORM_CASES[case]
    response = client.post("/subscribe", data={**FORM, **changes})
    assert response.status_code == 400
    assert message in response.text
    assert counts(db) == (0, 0)


@pytest.mark.parametrize("case", JSON_CASES)
def test_bad_json_input_names_the_field(case: str, client, db: Session) -> None:
    changes, field = JSON_CASES[case]
    response = client.post("/subscribe", json={**JSON, **changes})
    assert response.status_code == 400
    assert field in response.json["fields"]
    assert counts(db) == (0, 0)


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("[1, 2, 3]", "application/json", 400),
        ('"just a string"', "application/json", 400),
        ("null", "application/json", 400),
        ("email=ada@example.com", "text/plain", 415),
        ("<signup/>", "application/xml", 415),
        ("", None, 415),
    ],
)
def test_wrong_bodies_and_content_types_get_a_4xx(body: str, content_type, status: int, client, db) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/subscribe", data=body, headers=headers)
    assert response.status_code == status
    assert counts(db) == (0, 0)


def test_a_body_that_is_not_an_object_is_told_what_to_send(client, db) -> None:
    for body in ("null", "{not json"):
        response = client.post("/subscribe", data=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 400 and "must be a JSON object" in response.json["message"]


def test_an_oversized_body_is_refused_before_it_is_read(client, db: Session) -> None:
    response = client.post("/subscribe", data={**FORM, "first_name": "A" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert counts(db) == (0, 0)


def test_a_get_on_subscribe_is_not_allowed(client, db: Session) -> None:
    assert client.get("/subscribe?email=ada@example.com&consent=yes").status_code == 405
    assert counts(db) == (0, 0)
