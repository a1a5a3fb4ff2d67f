from django.urls import path

from firstline.delivery import views

app_name = "delivery"
urlpatterns = [
    path("letter/<int:pk>/", views.letter_preview, name="letter"),
    path("letter/<int:pk>/pdf/", views.letter_pdf, name="letter_pdf"),
    path("packet/<int:pk>/", views.packet_download, name="packet"),
    path("packet/<int:pk>/retry/", views.packet_retry, name="packet_retry"),
    path("delivery/<int:pk>/retry/", views.delivery_retry, name="retry"),
    path("delivery/<int:pk>/mark/", views.delivery_mark, name="mark"),
    path("target/<int:pk>/response/", views.response_add, name="response_add"),
    path("response/<int:pk>/attachment/", views.response_attachment, name="response_attachment"),
    path("<slug:slug>/", views.dashboard, name="dashboard"),
    path("<slug:slug>/rules/", views.rule_add, name="rule_add"),
    path("<slug:slug>/do/<str:name>/", views.action, name="action"),
    path("<slug:slug>/progress/", views.progress, name="progress"),
    path("<slug:slug>/packets/", views.packet_create, name="packet_create"),
    path("<slug:slug>/accountability/", views.accountability, name="accountability"),
    path("<slug:slug>/coverage/", views.coverage, name="coverage"),
]
