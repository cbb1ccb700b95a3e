"""The forms of the sequence pages (Flask-WTF): field limits and the words a marketer sees."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from campaigns.sequences.catalog import MAX_HEADING, MAX_NAME, MAX_SLUG, MAX_TEXT, SLUG, Details, slug_from


class SequenceForm(FlaskForm):
    """A sequence's name, description, and its signup page's address, heading and text."""

    name = StringField("Name", validators=[DataRequired("Give the sequence a name."), Length(max=MAX_NAME)])
    slug = StringField(
        "Address",
        validators=[
            Optional(),
            Length(max=MAX_SLUG, message=f"The address may be at most {MAX_SLUG} characters."),
            Regexp(
                SLUG.pattern, message="The address may use lower-case letters, digits and single hyphens."
            ),
        ],
        filters=[lambda value: (value or "").strip().lower()],
    )
    description = TextAreaField("Description", validators=[Length(max=MAX_TEXT)])
    landing_heading = StringField("Heading", validators=[Length(max=MAX_HEADING)])
    landing_text = TextAreaField("Text", validators=[Length(max=MAX_TEXT)])

    def details(self) -> Details:
        """Return what was posted as the domain's details; an empty address comes from the name."""
        name = self.name.data or ""
        return Details(
            name=name,
            slug=self.slug.data or slug_from(name),
            description=self.description.data or "",
            landing_heading=self.landing_heading.data or "",
            landing_text=self.landing_text.data or "",
        )

    def problems(self) -> dict[str, str]:
        """Return the first message of each field that did not validate."""
        return {
            name: messages[0] for name, messages in self.errors.items() if messages and name != "csrf_token"
        }


class NewSequenceForm(SequenceForm):
    """A new sequence: the same fields, and what to start from."""

    source = SelectField("Start from", choices=[], validate_choice=False)
