from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "veille.web.cite.review"
    label = "review"
    verbose_name = "Évaluation et revue de projet"
