from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "firstline.policies"
    label = "policies"
