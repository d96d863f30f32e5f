from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "skolkvalitet.dashboards"
    label = "dashboards"
