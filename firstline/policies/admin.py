"""Staff admin for the catalog and the evidence. Record edits go through the services,
so every save needs a reason and leaves a version and an audit event."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from firstline.core.services import audit_event_record
from firstline.policies.models import (
    INSTRUMENT_VERSIONED_FIELDS,
    VERSIONED_FIELDS,
    Instrument,
    InstrumentVersion,
    LegalEvent,
    Policy,
    PolicyRecord,
    PolicyRecordVersion,
    ResearchCheck,
)
from firstline.policies.services import (
    RecordChangeInvalid,
    instrument_add,
    instrument_change,
    instrument_provisions_refresh,
    jurisdictions_changed,
    policy_record_add,
    policy_record_change,
    policy_record_verify,
)


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_en", "kind", "category", "weight", "sort_order"]
    list_filter = ["kind", "category"]
    search_fields = ["slug", "name_en", "name_es"]
    readonly_fields = [
        "negates",
        "preempts",
    ]  # from catalog.yaml, reloaded by the importer


class PolicyRecordForm(forms.ModelForm):
    why = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why this change: the source or evidence. Kept in the record's history.",
    )

    class Meta:
        model = PolicyRecord
        fields = [
            "policy", "jurisdiction", "level", "usps", "other_name", "instrument", "section", "extent", "status", "instrument_kind", "citation", "year",
            "enacted_on", "effective_on", "ended_on", "source_url", "excerpt", "note", "confidence",
            "agency_name", "support_model", "signed_on", "moa_url",
        ]  # fmt: skip


_VERSION_FIELDS = ("number", "at", "by_label", "summary", "why")


class PolicyRecordVersionInline(admin.TabularInline):
    model = PolicyRecordVersion
    extra = 0
    can_delete = False
    fields = _VERSION_FIELDS
    readonly_fields = _VERSION_FIELDS
    ordering = ["-number"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PolicyRecord)
class PolicyRecordAdmin(admin.ModelAdmin):
    form = PolicyRecordForm
    list_display = [
        "__str__",
        "policy",
        "status",
        "instrument_kind",
        "usps",
        "level",
        "confidence",
        "updated_at",
    ]
    list_filter = ["policy", "status", "level", "confidence", "support_model", "importer"]
    search_fields = ["key", "citation", "agency_name", "other_name", "jurisdiction__name"]
    list_select_related = ["policy", "jurisdiction"]
    raw_id_fields = ["jurisdiction"]
    readonly_fields = ["key", "importer", "source_file", "as_of", "verified_on", "verified_by", "match_method",
                       "match_score", "first_seen_on", "last_seen_on", "created_at", "updated_at"]  # fmt: skip
    inlines = [PolicyRecordVersionInline]
    actions = ["verify_selected"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(self.readonly_fields)
        if obj is not None:
            fields.append("policy")  # the natural key includes the policy
        return fields

    def save_model(self, request: HttpRequest, obj: PolicyRecord, form: Any, change: bool) -> None:
        why = form.cleaned_data["why"]
        try:
            if change:
                changes = {f: form.cleaned_data[f] for f in form.changed_data if f != "why"}
                values = {
                    (f"{f}_id" if f"{f}_id" in VERSIONED_FIELDS else f): v
                    for f, v in changes.items()
                }
                values = {k: (v.pk if hasattr(v, "pk") else v) for k, v in values.items()}
                version = policy_record_change(
                    record=PolicyRecord.objects.get(pk=obj.pk),
                    changes=values,
                    why=why,
                    by=request.user,
                )
                if version is None:
                    messages.info(request, "Nothing changed; no version was added.")
            else:
                data = {
                    f: form.cleaned_data[f] for f in PolicyRecordForm.Meta.fields if f != "policy"
                }
                data = {
                    (f"{f}_id" if f"{f}_id" in VERSIONED_FIELDS else f): (
                        v.pk if hasattr(v, "pk") else v
                    )
                    for f, v in data.items()
                }
                created = policy_record_add(
                    policy=form.cleaned_data["policy"], values=data, why=why, by=request.user
                )
                obj.pk = created.pk
        except RecordChangeInvalid as exc:
            messages.error(request, str(exc))
        # Reload so the admin's redirect and messages use the saved values.
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Versions are read-only and written by the services; nothing else is related.
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # end a record with a status (rescinded, failed...), never delete it

    @admin.action(description="Mark verified (checked against the primary source)")
    def verify_selected(self, request: HttpRequest, queryset: QuerySet[PolicyRecord]) -> None:
        done = sum(
            1
            for record in queryset
            if policy_record_verify(record=record, by=request.user) is not None
        )
        self.message_user(request, f"{done} record(s) marked verified.")


@admin.register(PolicyRecordVersion)
class PolicyRecordVersionAdmin(admin.ModelAdmin):
    list_display = ["record", "number", "at", "by_label", "summary"]
    list_select_related = ["record", "record__policy", "record__jurisdiction"]
    search_fields = ["summary", "why", "by_label"]
    readonly_fields = [
        "record",
        "number",
        "values",
        "changed_fields",
        "summary",
        "why",
        "by",
        "by_label",
        "at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- Instruments: the instrument, its provisions and its legal events edited together ------


class InstrumentForm(forms.ModelForm):
    why = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why this change: the source or evidence. Kept in the instrument's history.",
    )

    class Meta:
        model = Instrument
        fields = [
            "slug", "jurisdiction", "kind", "title", "citation", "url", "source_type", "status",
            "enacted_on", "effective_on", "confidence", "as_of", "summary", "note",
        ]  # fmt: skip


class InstrumentVersionInline(PolicyRecordVersionInline):
    model = InstrumentVersion  # type: ignore[assignment]


class ProvisionInline(admin.TabularInline):
    """Provisions are records: edit each on its own page (versioned); listed here for context."""

    model = PolicyRecord
    extra = 0
    can_delete = False
    fields = ["policy", "section", "extent", "status", "confidence", "excerpt"]
    readonly_fields = ["policy", "section", "extent", "status", "confidence", "excerpt"]
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LegalEventInline(admin.TabularInline):
    model = LegalEvent
    fk_name = "instrument"
    extra = 0
    fields = ["kind", "date", "body", "reference", "url", "source_type", "policies", "note"]


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    form = InstrumentForm
    list_display = ["slug", "title", "kind", "status", "source_type", "confidence", "as_of"]
    list_filter = ["kind", "status", "source_type", "confidence", "importer"]
    search_fields = ["slug", "title", "citation", "jurisdiction__name"]
    list_select_related = ["jurisdiction"]
    raw_id_fields = ["jurisdiction"]
    readonly_fields = ["importer", "source_file", "verified_on", "verified_by"]
    inlines = [ProvisionInline, LegalEventInline, InstrumentVersionInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # end an instrument with an event (repealed, expired...), never delete it

    def save_model(self, request: HttpRequest, obj: Instrument, form: Any, change: bool) -> None:
        why = form.cleaned_data["why"]
        fields = [f for f in InstrumentForm.Meta.fields if f != "slug"]
        data = {
            (f"{f}_id" if f"{f}_id" in INSTRUMENT_VERSIONED_FIELDS else f): (
                v.pk if hasattr(v, "pk") else v
            )
            for f, v in form.cleaned_data.items()
            if f in fields and (not change or f in form.changed_data)
        }
        try:
            if change:
                instrument_change(
                    instrument=Instrument.objects.get(pk=obj.pk),
                    changes=data,
                    why=why,
                    by=request.user,
                )
            else:
                obj.pk = instrument_add(
                    slug=form.cleaned_data["slug"], values=data, why=why, by=request.user
                ).pk
        except RecordChangeInvalid as exc:
            messages.error(request, str(exc))
        obj.refresh_from_db()

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not LegalEvent:
            return  # provisions and versions are written by the services only
        super().save_formset(request, form, formset, change)
        touched = [*formset.new_objects, *(o for o, _ in formset.changed_objects)]
        removed = formset.deleted_objects
        if touched or removed:
            why = form.cleaned_data.get("why") or "Legal events edited"
            audit_event_record(
                action="legal_event.change",
                subject=f"policies.Instrument:{form.instance.pk}",
                actor=request.user,
                message=why,
                data={"saved": [str(e) for e in touched], "deleted": [str(e) for e in removed]},
            )
            instrument_provisions_refresh(instrument=form.instance, why=why, by=request.user)


@admin.register(ResearchCheck)
class ResearchCheckAdmin(admin.ModelAdmin):
    list_display = ["jurisdiction", "policy", "result", "checked_on", "checked_by"]
    list_filter = ["policy", "importer"]
    search_fields = ["jurisdiction__name", "where"]
    list_select_related = ["jurisdiction", "policy"]
    raw_id_fields = ["jurisdiction", "user"]
    readonly_fields = ["importer", "source_file", "user"]

    def save_model(self, request: HttpRequest, obj: ResearchCheck, form: Any, change: bool) -> None:
        obj.user = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        audit_event_record(
            action="research_check.change" if change else "research_check.add",
            subject=f"policies.ResearchCheck:{obj.pk}",
            actor=request.user,
            message=obj.where,
            data={"changed": form.changed_data},
        )
        jurisdictions_changed(jurisdiction_ids=[obj.jurisdiction_id])
