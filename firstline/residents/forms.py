from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from firstline.residents.services import NOTE_MAX


class MessageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the message"), choices=[("en", "English"), ("es", "Español")]
    )
    note = forms.CharField(
        label=_("Your own words (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Do not write your address, immigration status or anything you want kept private."
        ),
    )
    minimal = forms.BooleanField(
        label=_("Minimal mode: send without my name or email"),
        required=False,
        initial=True,
        help_text=_("The official will see only “A resident (name withheld)”."),
    )
    name = forms.CharField(label=_("Your name (optional)"), required=False, max_length=120)
    email = forms.EmailField(
        label=_("Your email, so the office can answer (optional)"), required=False, max_length=254
    )
    # A field people never see; bots fill it in.
    website = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("website"):
            raise forms.ValidationError(_("This message could not be sent."))
        if data.get("minimal"):
            data["name"] = ""
            data["email"] = ""
        return data
