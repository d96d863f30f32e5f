from django.apps import AppConfig


class BatchesConfig(AppConfig):
    name = "skolkvalitet.batches"
    label = "batches"
