from django.urls import path

from . import views

app_name = "workspace"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("new/", views.campaign_create, name="create"),
    path("<slug:slug>/", views.campaign_detail, name="campaign"),
    path("<slug:slug>/edit/", views.campaign_edit, name="edit"),
    path("<slug:slug>/status/<str:name>/", views.campaign_status, name="status"),
    path("<slug:slug>/signatures/", views.signatures, name="signatures"),
    path("<slug:slug>/targets/", views.targets, name="targets"),
    path("<slug:slug>/targets/freeze/", views.targets_freeze, name="freeze"),
    path("<slug:slug>/letters/", views.letters, name="letters"),
    path("<slug:slug>/letters/progress/", views.letters_status, name="letters_status"),
    path("<slug:slug>/letters/do/<str:name>/", views.letters_action, name="letters_action"),
    path("<slug:slug>/packets/", views.packets, name="packets"),
]
