from django.urls import path

from firstline.officials import views

app_name = "officials"
urlpatterns = [
    path("office/<int:pk>/", views.office_detail, name="office"),
]
