from django.urls import path

from . import views

app_name = "cellule"
urlpatterns = [
    path("", views.commune_home, name="home"),
]
