from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "skolkvalitet.demo"
    label = "demo"
