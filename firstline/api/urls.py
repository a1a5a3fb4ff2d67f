from django.urls import path, re_path

from firstline.api import views

app_name = "api"
urlpatterns = [
    path("ping", views.ping, name="ping"),
    path("lookup", views.lookup, name="lookup"),
    path("jurisdictions", views.jurisdictions, name="jurisdictions"),
    path("jurisdictions/<path:ocd_id>", views.jurisdiction, name="jurisdiction"),
    path("scorecards/<path:ocd_id>", views.scorecard, name="scorecard"),
    path("policies", views.policies, name="policies"),
    path("policies/<slug:slug>", views.policy, name="policy"),
    path("instruments", views.instruments, name="instruments"),
    path("instruments/<slug:slug>", views.instrument, name="instrument"),
    path("provisions", views.provisions, name="provisions"),
    path("provisions/<int:pk>", views.provision, name="provision"),
    path("offices", views.offices, name="offices"),
    path("offices/<int:pk>", views.office, name="office"),
    path("officials", views.officials, name="officials"),
    path("officials/<path:person_id>", views.official, name="official"),
    path("campaigns", views.campaigns, name="campaigns"),
    path("campaigns/<slug:slug>", views.campaign, name="campaign"),
    path("openapi.json", views.schema, name="openapi"),
    path("docs", views.docs, name="docs"),
    # Anything else, newlines included ("." would stop at one, and Django's HTML
    # 404 would answer instead of the API's JSON error).
    re_path(r"^(?P<rest>[\s\S]*)$", views.not_found),
]
