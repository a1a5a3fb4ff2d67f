from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "firstline.campaigns"
    label = "campaigns"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from .models import Signature
        from .signals import approved_signature_deleted

        post_delete.connect(
            approved_signature_deleted, sender=Signature, dispatch_uid="campaigns-signature-deleted"
        )
