from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "skolkvalitet.ingest"
    label = "ingest"
