from django.contrib import admin

from firstline.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "subject", "actor_label", "message"]
    list_filter = ["action"]
    search_fields = ["subject", "message", "actor_label"]
    list_select_related = ["actor"]
    date_hierarchy = "at"

    def has_change_permission(self, request, obj=None):  # audit rows are append-only
        return False

    def has_delete_permission(self, request, obj=None):
        return False
