from django.urls import path

from . import views

app_name = "cites"
urlpatterns = [
    path("", views.cite_list, name="list"),
    path("<slug:cite>/", views.home, name="home"),
    path("<slug:cite>/modifier/", views.edit, name="edit"),
    path("<slug:cite>/territoire/", views.territory, name="territory"),
    path("<slug:cite>/territoire/ajouter/<slug:kind>/", views.add_to_territory, name="add_to_territory"),
    path(
        "<slug:cite>/territoire/<slug:kind>/<int:pk>/modifier/",
        views.edit_in_territory,
        name="edit_in_territory",
    ),
    path(
        "<slug:cite>/territoire/<slug:kind>/<int:pk>/supprimer/",
        views.delete_from_territory,
        name="delete_from_territory",
    ),
    path("<slug:cite>/partenaires/", views.partners, name="partners"),
    path("<slug:cite>/partenaires/nouveau/", views.partner_form, name="partner_create"),
    path("<slug:cite>/partenaires/<int:pk>/", views.partner_form, name="partner_edit"),
    path("<slug:cite>/membres/", views.members, name="members"),
    path("<slug:cite>/membres/<int:pk>/retirer/", views.deactivate_member, name="deactivate_member"),
    path("<slug:cite>/journal/", views.journal, name="journal"),
]
