from django.urls import path, re_path

from firstline.api import views

app_name = "api"
urlpatterns = [
    path("ping", views.ping, name="ping"),
    path("lookup", views.lookup, name="lookup"),
    path("jurisdictions/<path:ocd_id>", views.jurisdiction, name="jurisdiction"),
    path("scorecards/<path:ocd_id>", views.scorecard, name="scorecard"),
    path("openapi.json", views.schema, name="openapi"),
    # Anything else, newlines included ("." would stop at one, and Django's HTML
    # 404 would answer instead of the API's JSON error).
    re_path(r"^(?P<rest>[\s\S]*)$", views.not_found),
]
