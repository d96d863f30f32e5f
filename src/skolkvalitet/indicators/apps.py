from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "skolkvalitet.indicators"
    label = "indicators"
