from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "skolkvalitet.publishing"
    label = "publishing"
    verbose_name = "Publishing"
