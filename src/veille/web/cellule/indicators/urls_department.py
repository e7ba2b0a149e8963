"""The préfecture's page, outside any commune: ``/indicateurs/departement/``."""

from django.urls import path

from . import views

app_name = "indicators_department"

urlpatterns = [
    path("", views.department, name="index"),
    path("import/", views.department_import, name="import"),
]
