from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "skolkvalitet.api"
    label = "api"
