from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("modeles/", views.template_list, name="templates"),
    path("modeles/<str:kind>/", views.template_edit, name="template_edit"),
    path("en-tete/", views.letterhead, name="letterhead"),
    path("en-tete/<str:authority>/", views.state_letterhead_edit, name="state_letterhead"),
    path("dossiers/<int:case>/", views.case_letters, name="case_letters"),
    path("dossiers/<int:case>/produire/", views.generate, name="generate"),
    path("courriers/<int:pk>/", views.download, name="download"),
]
