from django.urls import path

from firstline.residents import views

app_name = "residents"
urlpatterns = [
    path("find/", views.lookup, name="lookup"),
    path("find/write/<int:office_id>/", views.write, name="write"),
    path("find/sent/", views.sent, name="sent"),
    path("find/privacy/", views.privacy, name="privacy"),
]
