from django.urls import path

from firstline.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("jurisdictions/", views.jurisdiction_options, name="jurisdictions"),
    path("challenge/", views.pow_challenge, name="challenge"),
    path("confirm/<str:token>/", views.signature_verify, name="verify"),
    path("staff/<int:pk>/preview/", views.letter_preview, name="preview"),
    path("staff/<int:pk>/signatories.csv", views.export_csv, name="export_csv"),
    path("staff/<int:pk>/signatories.osdi.json", views.export_osdi, name="export_osdi"),
    path("<slug:slug>/", views.campaign_detail, name="detail"),
    path("<slug:slug>/sign/", views.campaign_sign, name="sign"),
    path("<slug:slug>/thanks/", views.campaign_thanks, name="thanks"),
    path("<slug:slug>/share.png", views.campaign_share_image, name="share_image"),
]
