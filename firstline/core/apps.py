from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "firstline.core"
    label = "core"
    verbose_name = "Firstline core"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from firstline import checks  # noqa: F401  (registers system checks)
        from firstline.core.services import staff_roles_sync

        post_migrate.connect(staff_roles_sync, sender=self, dispatch_uid="core.staff_roles_sync")
