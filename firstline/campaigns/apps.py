from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "firstline.campaigns"
    label = "campaigns"
