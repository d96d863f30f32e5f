from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "skolkvalitet.organisation"
    label = "organisation"
