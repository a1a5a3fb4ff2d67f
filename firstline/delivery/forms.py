from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from firstline.campaigns.models import Organization
from firstline.geo.models import Jurisdiction
from firstline.geo.selectors import jurisdiction_by_name
from firstline.lib.uploads import upload_kind
from firstline.officials.roles import role_choices
from firstline.policies.models import Policy

from .models import DeliveryStatus, GeographyKind, PacketScope, PolicyCondition, ResponseKind


class TargetRuleForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=role_choices(targetable_only=True),
        widget=forms.CheckboxSelectMultiple,
    )
    geography = forms.ChoiceField(label=_("Where"), choices=GeographyKind.choices)
    states = forms.CharField(label=_("States (postal codes, comma-separated)"), required=False)
    jurisdictions = forms.CharField(
        label=_("Counties or places, one per line, e.g. “Harris County, TX” or “Houston, TX”"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    policy = forms.ModelChoiceField(
        label=_("Policy"), queryset=Policy.objects.all(), required=False
    )
    policy_condition = forms.ChoiceField(
        label=_("Policy status"), choices=PolicyCondition.choices, required=False
    )
    min_population = forms.IntegerField(label=_("Minimum population"), required=False, min_value=0)
    language = forms.ChoiceField(
        label=_("Letter language"), choices=[("en", _("English")), ("es", _("Spanish"))]
    )

    def clean_states(self) -> list[str]:
        return [s.strip().upper() for s in self.cleaned_data["states"].split(",") if s.strip()]

    def clean_jurisdictions(self) -> list[Jurisdiction]:
        """Each line a name with its state ("Harris County, TX"); the name must match exactly."""
        found: list[Jurisdiction] = []
        unknown: list[str] = []
        for line in self.cleaned_data["jurisdictions"].splitlines():
            line = line.strip()
            if not line:
                continue
            match = jurisdiction_by_name(text=line)
            if match is None:
                unknown.append(line)
            else:
                found.append(match)
        if unknown:
            raise forms.ValidationError(
                _("Not found (write “Name, ST”): %(names)s") % {"names": "; ".join(unknown)}
            )
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        if data.get("policy_condition") and not data.get("policy"):
            self.add_error("policy", _("Choose the policy the status refers to."))
        return data


class PacketForm(forms.Form):
    scope = forms.ChoiceField(label=_("Packet"), choices=PacketScope.choices)
    jurisdiction = forms.CharField(label=_("County or state (ocd-division id)"), required=False)

    def clean_jurisdiction(self) -> Jurisdiction | None:
        value = self.cleaned_data["jurisdiction"].strip()
        if not value:
            return None
        try:
            return Jurisdiction.objects.get(ocd_id=value)
        except Jurisdiction.DoesNotExist:
            raise forms.ValidationError(_("Unknown jurisdiction.")) from None


class MarkForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (s.value, s.label) for s in (DeliveryStatus.DELIVERED_BY_HAND, DeliveryStatus.MAILED)
        ]
    )
    on = forms.DateField(label=_("Date"))
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.all(), required=False
    )


class ResponseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Response"), choices=ResponseKind.choices)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    attachment = forms.FileField(label=_("Attachment"), required=False)
    policies = forms.ModelMultipleChoiceField(
        label=_("Policies committed to"), queryset=Policy.objects.all(), required=False
    )
    commitment_date = forms.DateField(label=_("Committed by (date)"), required=False)

    def clean_attachment(self) -> Any:
        file = self.cleaned_data.get("attachment")
        if not file:
            return file
        limit = settings.RESPONSE_ATTACHMENT_MAX_MB
        if file.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                _("The attachment is larger than %(mb)s MB.") % {"mb": limit}
            )
        if upload_kind(file) is None:
            raise forms.ValidationError(_("Attach a PDF, a PNG or JPEG image, or plain text."))
        return file

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        if data.get("kind") == ResponseKind.COMMITMENT:
            if not data.get("policies"):
                self.add_error("policies", _("A commitment names at least one policy."))
            if not data.get("commitment_date"):
                self.add_error("commitment_date", _("A commitment has a date."))
        return data
