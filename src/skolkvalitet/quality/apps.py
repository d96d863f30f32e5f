from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "skolkvalitet.quality"
    label = "quality"
