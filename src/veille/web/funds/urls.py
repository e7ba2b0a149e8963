from django.urls import path

from . import views

app_name = "funds"
urlpatterns = [
    path("", views.index, name="index"),
    path("contributions/", views.add_contribution, name="add_contribution"),
    path("contributions/etat/", views.add_default_contributions, name="add_default_contributions"),
    path("engagements/", views.add_commitment, name="add_commitment"),
    path("paiements/", views.add_payment, name="add_payment"),
]
