"""A cité's side of the network: its fiches expériences, drafted from its actions and published."""

from django.urls import path

from . import views

app_name = "network_cite"
urlpatterns = [
    path("", views.cite_index, name="index"),
    path("fiche/depuis-action/<int:action>/", views.experience_form, name="create"),
    path("fiche/<int:pk>/", views.experience_form, name="edit"),
    path("fiche/<int:pk>/publication/", views.publish, name="publish"),
]
