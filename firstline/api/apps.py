from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "firstline.api"
    label = "api"
