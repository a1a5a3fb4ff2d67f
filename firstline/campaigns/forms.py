from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from firstline.campaigns.models import OrganizationType
from firstline.campaigns.selectors import (
    jurisdiction_get,
    jurisdiction_label,
    jurisdiction_resolve,
)
from firstline.campaigns.text import clean_text
from firstline.geo.models import Jurisdiction


class CleanCharField(forms.CharField):
    """NFKC-normalized, control characters removed, whitespace collapsed, then length-checked."""

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        return clean_text(value)


class SignOnForm(forms.Form):
    org_name = CleanCharField(label=_("Organization name"), max_length=200, min_length=2)
    org_website = forms.URLField(
        label=_("Website"),
        max_length=300,
        required=False,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Optional. Helps us confirm the organization."),
    )
    org_type = forms.ChoiceField(
        label=_("Type of organization"), choices=OrganizationType.choices, widget=forms.RadioSelect
    )
    home = CleanCharField(
        label=_("Where the organization is based"),
        max_length=200,
        help_text=_("A state, county or city, e.g. “Harris County, TX” or “Texas”."),
        widget=forms.TextInput(attrs={"list": "jurisdiction-options", "autocomplete": "off"}),
    )
    home_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    contact_name = CleanCharField(label=_("Your name"), max_length=120)
    contact_email = forms.EmailField(label=_("Your email"), max_length=254)
    contact_role = CleanCharField(
        label=_("Your role in the organization"), max_length=120, required=False
    )
    # Spam defenses: a field people never see, a signed render time, and the
    # proof-of-work solution written by static/js/pow.js.
    homepage = forms.CharField(required=False, label=_("Leave this empty"))
    form_ts = forms.CharField(required=False, widget=forms.HiddenInput)
    pow = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.home_candidates: list[Jurisdiction] = []
        self.fields["homepage"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        jurisdiction, self.home_candidates = home_jurisdiction(
            home_id=data.get("home_id"), text=data.get("home") or ""
        )
        if jurisdiction is None and data.get("home"):
            self.add_error(
                "home",
                _("Choose one of the places listed below.")
                if self.home_candidates
                else _(
                    "We could not find that place. Try “County name, ST”, “City, ST” or a state name."
                ),
            )
        data["home_jurisdiction"] = jurisdiction
        return data


def home_jurisdiction(
    *, home_id: int | None, text: str
) -> tuple[Jurisdiction | None, list[Jurisdiction]]:
    """The chosen jurisdiction (the datalist's id, if its label still matches
    the visible text, else what the text resolves to) and, when the text is
    ambiguous, the candidates to offer."""
    if home_id:
        jurisdiction = jurisdiction_get(pk=home_id)
        if jurisdiction is not None and jurisdiction_label(jurisdiction) == text:
            return jurisdiction, []
        # Otherwise the visible text was edited after choosing: it wins.
    if not text:
        return None, []
    return jurisdiction_resolve(text)


class LetterPreviewForm(forms.Form):
    letter = forms.CharField(required=False, max_length=50_000)
    language = forms.ChoiceField(choices=[("en", "English"), ("es", "Español")], required=False)
