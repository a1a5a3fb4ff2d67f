from django.urls import path

from firstline.opendata import views

app_name = "opendata"
urlpatterns = [
    path("", views.data, name="data"),
    path("files/<str:name>", views.download, name="file"),
]
