from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "firstline.opendata"
    label = "opendata"

    def ready(self) -> None:
        from firstline.opendata import receivers

        receivers.connect()
