from django.contrib import admin

from firstline.mail.models import Email


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    """The outbox: in the default 'outbox' mode this is where mail 'arrives'."""

    list_display = ["created_at", "kind", "status", "mode", "subject", "attempts", "sent_at"]
    list_filter = ["status", "mode", "kind"]
    search_fields = ["subject", "message_id"]
    readonly_fields = [f.name for f in Email._meta.fields]

    def has_add_permission(self, request):
        return False
