from django.urls import path

from firstline.officials import views

app_name = "officials"
urlpatterns = [
    path("office/<int:pk>/", views.office_detail, name="office"),
    path("office/<int:pk>/suggest/", views.roster_suggest, name="suggest"),
    path("roster/<str:token>/", views.roster_invite, name="roster_form"),
    path("staff/roster/review/", views.roster_review, name="roster_review"),
    path("staff/roster/review/<int:pk>/", views.roster_decide, name="roster_decide"),
    path("staff/roster/invite/", views.roster_invite_create, name="roster_invite_create"),
    path("staff/roster/upload/", views.roster_upload_page, name="roster_upload"),
]
