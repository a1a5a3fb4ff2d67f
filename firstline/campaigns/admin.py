"""The staff UI for campaigns: editing with a live letter preview, the status
workflow, moderation (bulk approve/reject) and near-duplicate merging.

Every action calls a service; the admin never changes a status itself.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from firstline.campaigns import services
from firstline.campaigns.models import (
    Campaign,
    Organization,
    Signature,
    SignatureStatus,
)
from firstline.lib.crypto import lookup_hash


def _transition_action(service: Any, label: Any) -> Any:
    def action(
        modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Campaign]
    ) -> None:
        for campaign in queryset:
            try:
                service(campaign=campaign, actor=request.user)
            except services.TransitionNotAllowed as exc:
                modeladmin.message_user(request, str(exc), messages.ERROR)
            else:
                modeladmin.message_user(request, f"{campaign}: {campaign.get_status_display()}")

    action.__name__ = f"action_{service.__name__}"
    return admin.action(description=label)(action)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "status",
        "approved",
        "verified",
        "opens_at",
        "closes_at",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["asks"]
    readonly_fields = ["status", "created_at", "updated_at", "staff_links"]
    autocomplete_fields = ["organizer"]
    change_form_template = "admin/campaigns/campaign/change_form.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "title_es",
                    "slug",
                    "status",
                    "summary",
                    "summary_es",
                    "organizer",
                ]
            },
        ),
        (_("Letter"), {"fields": ["letter_en", "letter_es", "languages", "asks"]}),
        (
            _("Reply contact"),
            {"fields": ["reply_name", "reply_organization", "reply_email", "reply_phone"]},
        ),
        (_("Sign-on window"), {"fields": ["opens_at", "closes_at"]}),
        (_("Staff"), {"fields": ["staff_links", "created_at", "updated_at"]}),
    ]
    actions = [
        _transition_action(services.campaign_open, _("Open for signatures (draft → collecting)")),
        _transition_action(
            services.campaign_start_delivery, _("Start delivery (collecting → delivering)")
        ),
        _transition_action(services.campaign_close, _("Close")),
        _transition_action(services.campaign_unpublish, _("Back to draft (collecting → draft)")),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Campaign]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_approved=Count(
                    "signatures", filter=Q(signatures__status=SignatureStatus.APPROVED)
                ),
                n_verified=Count(
                    "signatures", filter=Q(signatures__status=SignatureStatus.VERIFIED)
                ),
            )
        )

    @admin.display(ordering="n_approved", description=_("approved"))
    def approved(self, obj: Campaign) -> int:
        return obj.n_approved  # type: ignore[attr-defined]

    @admin.display(ordering="n_verified", description=_("awaiting review"))
    def verified(self, obj: Campaign) -> int:
        return obj.n_verified  # type: ignore[attr-defined]

    @admin.display(description=_("links"))
    def staff_links(self, obj: Campaign) -> str:
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            obj.get_absolute_url(),
            _("Public page"),
            reverse("campaigns:export_csv", kwargs={"pk": obj.pk}),
            _("Export CSV"),
            reverse("campaigns:export_osdi", kwargs={"pk": obj.pk}),
            _("Export OSDI JSON"),
            reverse("admin:campaigns_signature_changelist")
            + f"?campaign__id__exact={obj.pk}&status__exact=verified",
            _("Signatures to review"),
        )


class NearDuplicateFilter(admin.SimpleListFilter):
    title = _("near-duplicate name")
    parameter_name = "near_duplicate"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", str(_("Flagged"))), ("no", str(_("Not flagged")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Signature]) -> QuerySet[Signature]:
        if self.value() == "yes":
            return queryset.exclude(near_duplicate_of=None)
        if self.value() == "no":
            return queryset.filter(near_duplicate_of=None)
        return queryset


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = [
        "organization",
        "org_home",
        "campaign",
        "status",
        "near_duplicate_of",
        "source",
        "created_at",
    ]
    list_filter = ["status", NearDuplicateFilter, "source", "campaign"]
    list_select_related = [
        "organization",
        "organization__home_jurisdiction",
        "campaign",
        "near_duplicate_of",
    ]
    search_fields = ["organization__name"]
    readonly_fields = [
        "campaign",
        "organization",
        "status",
        "source",
        "contact_name",
        "contact_email",
        "contact_role",
        "language",
        "submit_count",
        "created_at",
        "updated_at",
        "verified_at",
        "decided_at",
        "decided_by",
        "near_duplicate_of",
    ]
    exclude = ["email_hash"]
    actions = ["approve", "reject", "merge_into_near_duplicate", "dismiss_duplicate"]
    list_per_page = 100

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # signatures come from the public form or an import

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Signature], search_term: str
    ) -> Any:
        # Emails are encrypted; an exact address is found through its lookup hash.
        if "@" in search_term:
            return queryset.filter(email_hash=lookup_hash(search_term.strip())), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("home"), ordering="organization__home_jurisdiction__name")
    def org_home(self, obj: Signature) -> str:
        home = obj.organization.home_jurisdiction
        return str(home) if home else "—"

    @admin.action(description=_("Approve selected (confirmed) signatures"))
    def approve(self, request: HttpRequest, queryset: QuerySet[Signature]) -> None:
        n = services.signature_approve(signatures=queryset, actor=request.user)
        skipped = queryset.filter(status=SignatureStatus.PENDING).count()
        self.message_user(
            request,
            f"{n} approved."
            + (f" {skipped} still pending email confirmation, skipped." if skipped else ""),
        )

    @admin.action(description=_("Reject selected signatures"))
    def reject(self, request: HttpRequest, queryset: QuerySet[Signature]) -> None:
        n = services.signature_reject(signatures=queryset, actor=request.user)
        self.message_user(request, f"{n} rejected.")

    @admin.action(description=_("Merge the organization into its flagged near-duplicate"))
    def merge_into_near_duplicate(
        self, request: HttpRequest, queryset: QuerySet[Signature]
    ) -> None:
        moved = services.signatures_merge_near_duplicates(signatures=queryset, actor=request.user)
        self.message_user(request, f"{moved} signature(s) moved.")

    @admin.action(description=_("Not a duplicate: clear the flag"))
    def dismiss_duplicate(self, request: HttpRequest, queryset: QuerySet[Signature]) -> None:
        n = services.signature_dismiss_duplicate(signatures=queryset, actor=request.user)
        self.message_user(request, f"{n} flag(s) cleared.")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "home_jurisdiction", "website", "n_signatures", "merged_into"]
    list_filter = ["type"]
    search_fields = ["name", "name_key"]
    list_select_related = ["home_jurisdiction", "merged_into"]
    readonly_fields = ["name_key", "similarity_key", "merged_into", "created_at"]
    raw_id_fields = ["home_jurisdiction"]
    actions = ["merge_into_oldest"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        return super().get_queryset(request).annotate(signature_count=Count("signatures"))

    @admin.display(ordering="signature_count", description=_("signatures"))
    def n_signatures(self, obj: Organization) -> int:
        return obj.signature_count  # type: ignore[attr-defined]

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool) -> None:
        from firstline.campaigns.text import clean_text, name_key, similarity_key

        obj.name = clean_text(obj.name, max_length=200)
        obj.name_key, obj.similarity_key = name_key(obj.name), similarity_key(obj.name)
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Merge selected organizations into the oldest one"))
    def merge_into_oldest(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        orgs = list(queryset.order_by("pk"))
        if len(orgs) < 2:
            self.message_user(request, "Select at least two organizations.", messages.WARNING)
            return
        target, moved = orgs[0], 0
        for source in orgs[1:]:
            moved += services.organization_merge(source=source, target=target, actor=request.user)
        self.message_user(
            request, f"Merged {len(orgs) - 1} into {target}; {moved} signature(s) moved."
        )
