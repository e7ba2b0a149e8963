from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="index"),
    path("a-traiter/", views.todo, name="todo"),
    path("ouvrir/", views.case_open, name="open"),
    path("echeances/", views.rules, name="rules"),
    path("echeances/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/etapes/<slug:name>/", views.case_fire, name="fire"),
    path("<int:pk>/notification/", views.case_notify, name="notify"),
    path("<int:pk>/enfants/", views.case_link, name="link"),
    path("<int:pk>/notes/", views.case_note, name="note"),
    path("<int:pk>/transmission/", views.case_hand_over, name="hand_over"),
]
