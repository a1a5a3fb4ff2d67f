"""The organizer's forms: the campaign itself, and a print packet picked by place name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from firstline.campaigns.letters import ALLOWED_PLACEHOLDERS
from firstline.campaigns.models import Campaign
from firstline.delivery.models import PacketScope
from firstline.geo.models import Jurisdiction
from firstline.geo.selectors import jurisdiction_by_name
from firstline.policies.models import Policy, PolicyKind


class CampaignForm(forms.ModelForm):
    """Everything an organizer writes; asks are the catalog's protective policies only,
    since a letter never asks an official to adopt a harmful one."""

    asks = forms.ModelMultipleChoiceField(
        label=_("Asks"),
        queryset=Policy.objects.filter(kind=PolicyKind.PROTECTIVE),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The protections the letter asks for; each copy sorts them for its office."),
    )

    class Meta:
        model = Campaign
        fields = [
            "title", "title_es", "slug", "summary", "summary_es", "letter_en", "letter_es",
            "asks", "reply_name", "reply_organization", "reply_email", "reply_phone",
            "opens_at", "closes_at",
        ]  # fmt: skip
        labels = {
            "title": _("Title (English)"),
            "title_es": _("Title (Spanish)"),
            "slug": _("Web address"),
            "summary": _("Summary (English)"),
            "summary_es": _("Summary (Spanish)"),
            "letter_en": _("Letter (English)"),
            "letter_es": _("Letter (Spanish)"),
            "reply_name": _("Reply contact: name"),
            "reply_organization": _("Reply contact: organization"),
            "reply_email": _("Reply contact: email"),
            "reply_phone": _("Reply contact: phone"),
            "opens_at": _("Sign-on opens"),
            "closes_at": _("Sign-on closes"),
        }
        # Every help text is set here: the model's are English-only admin notes.
        help_texts = {
            "title_es": _("English is used when empty."),
            "reply_name": "",
            "reply_organization": "",
            "reply_phone": "",
            "slug": _("Lowercase letters, digits and hyphens: /campaigns/<this>/."),
            "letter_es": _("Leave empty to send the English letter to Spanish targets too."),
            "reply_email": _("Officials' replies go here (the letters' Reply-To)."),
            "opens_at": _("Empty: when you open the campaign."),
            "closes_at": _("Empty: when you close it."),
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "summary_es": forms.Textarea(attrs={"rows": 2}),
            "letter_en": forms.Textarea(attrs={"rows": 12}),
            "letter_es": forms.Textarea(attrs={"rows": 12}),
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["letter_en"].required = True
        names = ", ".join(f"{{{{ {name} }}}}" for name in ALLOWED_PLACEHOLDERS)
        self.fields["letter_en"].help_text = gettext(
            "Placeholders: %(names)s. Markdown: *emphasis*, **bold**, lists."
        ) % {"names": names}


class PacketForm(forms.Form):
    scope = forms.ChoiceField(label=_("Packet"), choices=PacketScope.choices)
    place = forms.CharField(
        label=_("Office's place, county or state, by name"),
        required=False,
        help_text=_("For example “Tarrant County, TX” or “Texas”. Empty: every letter to print."),
    )

    def clean_place(self) -> Jurisdiction | None:
        """The first exact name match among the search results ("Name, ST" or a state's name)."""
        text = self.cleaned_data["place"].strip()
        if not text:
            return None
        found = jurisdiction_by_name(text=text)
        if found is not None:
            return found
        raise forms.ValidationError(_("Not found (write “Name, ST”): %(name)s") % {"name": text})
