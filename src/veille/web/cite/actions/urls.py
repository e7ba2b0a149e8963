from django.urls import path

from . import views

app_name = "actions"
urlpatterns = [
    path("", views.index, name="index"),
    path("nouvelle/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.edit, name="edit"),
    path("<int:pk>/etat/", views.transition, name="transition"),
    path("<int:pk>/budget/", views.budget, name="budget"),
    path("<int:pk>/indicateurs/", views.add_indicator, name="add_indicator"),
    path("<int:pk>/execution/", views.execution, name="execution"),
]
