from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "skolkvalitet.web"
    label = "web"
