from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.logout, name="logout"),
    path("charte/", views.charter, name="charter"),
    path("double-authentification/", views.totp_setup, name="totp_setup"),
    path("double-authentification/code/", views.totp_verify, name="totp_verify"),
]
