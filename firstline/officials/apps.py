from django.apps import AppConfig


class OfficialsConfig(AppConfig):
    name = "firstline.officials"
    label = "officials"
    verbose_name = "Officials"
