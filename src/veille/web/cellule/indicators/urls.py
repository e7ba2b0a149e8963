from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.index, name="index"),
    path("bilan.pdf", views.report, {"fmt": "pdf"}, name="report_pdf"),
    path("bilan.xlsx", views.report, {"fmt": "xlsx"}, name="report_xlsx"),
    path("export.json", views.export, {"fmt": "json"}, name="export_json"),
    path("export.csv", views.export, {"fmt": "csv"}, name="export_csv"),
]
