from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "skolkvalitet.web"
    label = "web"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from skolkvalitet.web.middleware import session_started

        user_logged_in.connect(session_started, dispatch_uid="skolkvalitet.web.session_started")
