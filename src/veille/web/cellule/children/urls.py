from django.urls import path

from . import views

app_name = "children"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/fiche/", views.edit_record, name="edit_record"),
    path("<int:pk>/responsables/<int:person>/supprimer/", views.delete_person, name="delete_person"),
]
