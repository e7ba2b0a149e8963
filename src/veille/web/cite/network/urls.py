"""The regional network, outside any cité: ``/reseau/``."""

from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("", views.index, name="index"),
    path("fiches/<int:pk>/", views.experience, name="experience"),
    path("reunions/", views.meetings, name="meetings"),
    path("reunions/nouvelle/", views.meeting_create, name="meeting_create"),
    path("reunions/<int:pk>/modifier/", views.meeting_edit, name="meeting_edit"),
    path("reunions/<int:pk>/compte-rendu.pdf", views.meeting_minutes, name="minutes"),
]
