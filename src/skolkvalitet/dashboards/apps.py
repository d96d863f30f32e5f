from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "skolkvalitet.dashboards"
    label = "dashboards"

    def ready(self) -> None:
        # The page cache: which writes make cached pages old, and warming after the
        # materialisation (dashboards/page_invalidation.py, page_warming.py).
        from skolkvalitet.dashboards.page_invalidation import page_invalidation_connect
        from skolkvalitet.dashboards.page_warming import page_warming_connect

        page_invalidation_connect()
        page_warming_connect()
