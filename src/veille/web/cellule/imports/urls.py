from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.index, name="index"),
    path("deposer/", views.upload, name="upload"),
    path("depots/<int:pk>/", views.detail, name="detail"),
    path("depots/<int:pk>/confirmer/", views.confirm, name="confirm"),
    path("depots/<int:pk>/annuler/", views.cancel, name="cancel"),
    path("croisements/lancer/", views.launch, name="launch"),
    path("croisements/<int:pk>/", views.run, name="run"),
    path("croisements/<int:pk>/avancement/", views.run_progress, name="run_progress"),
    path("croisements/chiffre/", views.encrypted_new, name="encrypted_new"),
    path("croisements/<int:pk>/a-reveler/<str:holder>/", views.reveal_list, name="reveal_list"),
    path("croisements/<int:pk>/reveles/", views.reveal_upload, name="reveal_upload"),
    path("a-verifier/", views.review, name="review"),
    path("a-verifier/<int:pk>/", views.review_item, name="review_item"),
    path("a-verifier/<int:pk>/decision/", views.decide, name="decide"),
]
