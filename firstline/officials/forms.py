"""Forms of the roster drive (public) and the roster upload (staff)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from firstline.officials.importers_csv import COLUMNS
from firstline.officials.services import Proposal


class ProposalForm(forms.Form):
    """One office's holder and contacts; all optional, but anything entered needs a source."""

    holder_name = forms.CharField(label=_("Who holds the office"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    postal_address = forms.CharField(
        label=_("Postal address"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    source_url = forms.URLField(
        label=_("Where you found it (a web address)"), max_length=500, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        filled = any(data.get(k) for k in ("holder_name", "email", "phone", "postal_address"))
        if filled and not data.get("source_url"):
            self.add_error("source_url", _("Tell us where this comes from, so staff can check it."))
        return data

    def proposal(self) -> Proposal:
        data = self.cleaned_data
        return Proposal(
            holder_name=" ".join(data.get("holder_name", "").split()),
            email=data.get("email", "").lower(),
            phone=data.get("phone", "").strip(),
            postal_address=data.get("postal_address", "").strip(),
            source_url=data.get("source_url", ""),
        )


class SuggestionForm(ProposalForm):
    source_url = forms.URLField(label=_("Where you found it (a web address)"), max_length=500)


FORMAT_CHOICES = [
    ("template", _("Firstline roster template")),
    ("openstates", _("Open States municipal CSV")),
    ("mapping", _("Other: choose the columns below")),
]


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("Roster CSV"))
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, initial="template")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for column in COLUMNS:
            self.fields[f"map_{column}"] = forms.CharField(
                label=column, required=False, help_text=_("Column name in your file")
            )

    def mapping(self) -> dict[str, str]:
        """Our column -> the file's column, for the generic format."""
        return {
            column: self.cleaned_data[f"map_{column}"].strip()
            for column in COLUMNS
            if self.cleaned_data.get(f"map_{column}", "").strip()
        }
