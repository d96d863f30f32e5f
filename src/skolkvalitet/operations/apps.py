from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "skolkvalitet.operations"
    label = "operations"
