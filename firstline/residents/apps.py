from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    name = "firstline.residents"
    label = "residents"
