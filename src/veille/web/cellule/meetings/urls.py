from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.index, name="index"),
    path("nouvelle/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.edit, name="edit"),
    path("<int:pk>/tenue/", views.mark_held, name="mark_held"),
    path("<int:pk>/participants/", views.add_participant, name="add_participant"),
    path("<int:pk>/participants/<int:participant>/", views.update_participant, name="update_participant"),
    path("<int:pk>/ordre-du-jour/", views.add_case, name="add_case"),
    path("<int:pk>/ordre-du-jour/<int:item>/retirer/", views.remove_case, name="remove_case"),
    path("<int:pk>/ordre-du-jour/<int:item>/decision/", views.decide, name="decide"),
    path("<int:pk>/compte-rendu.pdf", views.report, name="report"),
]
