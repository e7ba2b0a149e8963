from django.urls import path

from . import views

app_name = "governance"
urlpatterns = [
    path("", views.index, name="index"),
    path("instances/nouvelle/", views.instance_create, name="instance_create"),
    path("reunions/nouvelle/", views.meeting_form, name="meeting_create"),
    path("reunions/<int:pk>/", views.meeting, name="meeting"),
    path("reunions/<int:pk>/modifier/", views.meeting_form, name="meeting_edit"),
    path("reunions/<int:pk>/presences/", views.attendance, name="attendance"),
    path("reunions/<int:pk>/decisions/", views.decision, name="decision"),
    path("reunions/<int:pk>/compte-rendu.pdf", views.minutes, name="minutes"),
]
