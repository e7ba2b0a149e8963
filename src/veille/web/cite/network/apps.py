from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "veille.web.cite.network"
    label = "network"
    verbose_name = "Réseau régional des cités éducatives"
