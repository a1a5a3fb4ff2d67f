from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "firstline.core"
    label = "core"
    verbose_name = "Firstline core"

    def ready(self) -> None:
        from firstline import checks  # noqa: F401  (registers system checks)
