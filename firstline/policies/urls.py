from django.urls import path

from firstline.policies import views

app_name = "policies"
urlpatterns = [
    path("", views.policy_list, name="list"),
    path("methodology/", views.methodology, name="methodology"),
    path("287g-trend/", views.trend_287g, name="trend_287g"),
    path("map.svg", views.map_svg, name="map_svg"),
    path("map-labels.json", views.map_labels, name="map_labels"),
    path("grades/<str:usps>/", views.grade_table_state, name="grade_table"),
    path("county/<str:fips>/", views.county_by_fips, name="county"),
    path("evidence-health/", views.evidence_health, name="evidence_health"),
    path("records/new/", views.record_add, name="record_add"),
    path("records/<int:pk>/edit/", views.record_edit, name="record_edit"),
    path("records/<int:pk>/verify/", views.record_verify, name="record_verify"),
    path("j/<path:ocd_id>/", views.jurisdiction_detail, name="jurisdiction"),
    path("<slug:slug>/", views.policy_detail, name="detail"),
]
