from django.urls import path

from . import views

app_name = "protection"
urlpatterns = [
    path("purge/", views.purge, name="purge"),
    path("exports/", views.exports, name="exports"),
    path("exports/dossiers-ouverts/", views.export_open_cases_view, name="export_open_cases"),
    path("telechargement/<str:token>/", views.download, name="download"),
    path("droit-d-acces/", views.right_of_access_search, name="right_of_access_search"),
    path("droit-d-acces/<int:child>/", views.right_of_access, name="right_of_access"),
]
