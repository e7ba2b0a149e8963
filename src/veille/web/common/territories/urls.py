from django.urls import path

from . import views

app_name = "territories"
urlpatterns = [
    path("", views.commune_home, name="home"),
]
