from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "firstline.mail"
    label = "mail"
