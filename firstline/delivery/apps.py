from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "firstline.delivery"
    label = "delivery"

    def ready(self) -> None:
        from firstline.campaigns.signals import signatories_changed

        from .rendering import signatories_changed_receiver

        signatories_changed.connect(signatories_changed_receiver, dispatch_uid="delivery-stale")
