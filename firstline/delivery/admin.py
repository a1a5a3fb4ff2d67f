from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from . import sending
from .models import (
    CampaignDelivery,
    Delivery,
    DeliveryStatus,
    LetterCopy,
    PrintPacket,
    Response,
    Target,
    TargetRule,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Delivery state changes only through the services (the campaign workspace,
    the delivery dashboard), which keep its invariants and audit every change:
    a hand-edited status or lease token would break the exactly-once argument."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(TargetRule)
class TargetRuleAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "campaign", "policy", "policy_condition", "language")
    list_select_related = ("campaign", "policy")


@admin.register(CampaignDelivery)
class CampaignDeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "campaign",
        "targets_frozen_at",
        "external_enabled",
        "external_changed_by",
        "external_changed_at",
    )
    list_select_related = ("campaign", "external_changed_by")
    # The switch is flipped through the dashboard so that every flip is audited.
    readonly_fields = (
        "external_enabled",
        "external_changed_by",
        "external_changed_at",
        "next_pump_at",
    )


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ("title", "holder_name", "usps", "role", "email", "campaign")
    list_filter = ("role", "usps")
    list_select_related = ("campaign",)
    search_fields = ("title", "holder_name", "email")
    raw_id_fields = ("office", "jurisdiction")


@admin.register(LetterCopy)
class LetterCopyAdmin(ReadOnlyAdmin):
    list_display = ("target", "language", "rendered_at", "stale", "campaign")
    list_filter = ("stale", "language")
    list_select_related = ("target", "campaign")
    raw_id_fields = ("target",)


@admin.action(description="Retry failed deliveries")
def retry(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
    n = sum(
        sending.delivery_retry(delivery=d, by=request.user)
        for d in queryset.filter(status=DeliveryStatus.FAILED)
    )
    messages.success(request, f"{n} deliveries queued again")


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "pk",
        "letter",
        "channel",
        "status",
        "mode",
        "attempts",
        "to_address",
        "sent_at",
    )
    list_filter = ("status", "channel", "mode")
    list_select_related = ("letter", "letter__target")
    search_fields = ("to_address", "message_id")
    raw_id_fields = ("letter", "delivered_by")
    actions = [retry]


@admin.register(PrintPacket)
class PrintPacketAdmin(ReadOnlyAdmin):
    list_display = ("pk", "campaign", "scope", "jurisdiction", "status", "pages", "created_at")
    list_select_related = ("campaign", "jurisdiction")
    raw_id_fields = ("jurisdiction",)
    filter_horizontal = ()
    exclude = ("letters",)


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ("target", "kind", "commitment_date", "logged_by", "logged_at")
    list_filter = ("kind",)
    list_select_related = ("target", "logged_by")
    raw_id_fields = ("target", "records")
    # Uploaded files are not served from /media/; staff open them through the
    # permission-checked download view.
    exclude = ("attachment",)
    readonly_fields = ("attachment_download",)

    @admin.display(description="Attachment")
    def attachment_download(self, obj: Response) -> str:
        if not obj.pk or not obj.attachment:
            return "—"
        url = reverse("delivery:response_attachment", kwargs={"pk": obj.pk})
        return format_html('<a href="{}">{}</a>', url, "Download")
