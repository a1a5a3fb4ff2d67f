from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "firstline.delivery"
    label = "delivery"
