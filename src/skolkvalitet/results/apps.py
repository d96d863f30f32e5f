from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "skolkvalitet.results"
    label = "results"
