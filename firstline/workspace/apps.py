from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "firstline.workspace"
    label = "workspace"
