from django.urls import path

from . import views

app_name = "review"
urlpatterns = [
    path("", views.index, name="index"),
    path("protocole/ajouter/", views.protocol_add, name="protocol_add"),
    path("protocole/depuis-les-actions/", views.protocol_prefill, name="protocol_prefill"),
    path("nouvelle/", views.create, name="create"),
    path("<int:year>/", views.detail, name="detail"),
    path("<int:year>/revue.pdf", views.export_pdf, name="pdf"),
    path("<int:year>/revue.docx", views.export_docx, name="docx"),
]
