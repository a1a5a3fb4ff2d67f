from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "firstline.geo"
    label = "geo"
    verbose_name = "Geography"

    def ready(self) -> None:
        # Connects the index's receiver in every process, importers included.
        from firstline.geo import zcta_index  # noqa: F401
