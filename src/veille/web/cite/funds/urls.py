from django.urls import path

from . import views

app_name = "funds"
urlpatterns = [
    path("", views.index, name="index"),
    path("contributions/", views.add_contribution, name="add_contribution"),
    path("contributions/etat/", views.add_default_contributions, name="add_default_contributions"),
    path("engagements/", views.add_commitment, name="add_commitment"),
    path("paiements/", views.add_payment, name="add_payment"),
    path("contributions/<int:pk>/modifier/", views.edit_contribution, name="edit_contribution"),
    path("contributions/<int:pk>/supprimer/", views.delete_contribution, name="delete_contribution"),
    path("engagements/<int:pk>/modifier/", views.edit_commitment, name="edit_commitment"),
    path("engagements/<int:pk>/supprimer/", views.delete_commitment, name="delete_commitment"),
    path("paiements/<int:pk>/modifier/", views.edit_payment, name="edit_payment"),
    path("paiements/<int:pk>/supprimer/", views.delete_payment, name="delete_payment"),
]
