from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "skolkvalitet.reference"
    label = "reference"
