from django.urls import path

from . import views

app_name = "diagnostic"
urlpatterns = [
    path("", views.index, name="index"),
    path("constats/", views.add_finding, name="add_finding"),
    path("indicateurs/", views.add_indicator, name="add_indicator"),
    path("indicateurs/import/", views.import_csv, name="import_csv"),
]
