from django.urls import path

from firstline.geo import views

app_name = "geo"
urlpatterns = [
    path("j/<path:ocd_id>/", views.jurisdiction_detail, name="jurisdiction"),
]
