from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.logout, name="logout"),
    path("charte/", views.charter, name="charter"),
    path("mot-de-passe/", views.PasswordChangeView.as_view(), name="password_change"),
    path("invitations/<int:pk>/", views.answer_invitation, name="answer_invitation"),
    path("double-authentification/", views.totp_setup, name="totp_setup"),
    path("double-authentification/code/", views.totp_verify, name="totp_verify"),
]
