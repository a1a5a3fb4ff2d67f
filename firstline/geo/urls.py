from django.urls import path

from firstline.geo import views

app_name = "geo"
urlpatterns = [
    path("search/", views.search, name="search"),
]
