from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "skolkvalitet.web"
    label = "web"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from skolkvalitet.web.middleware import session_started

        user_logged_in.connect(session_started, dispatch_uid="skolkvalitet.web.session_started")

        from skolkvalitet.web.two_factor.middleware import state_at_login

        user_logged_in.connect(state_at_login, dispatch_uid="skolkvalitet.web.two_factor")

        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_login_failed

        from skolkvalitet.web import signals

        user_logged_in.connect(signals.login_succeeded, dispatch_uid="skolkvalitet.web.login")
        user_login_failed.connect(signals.login_failed, dispatch_uid="skolkvalitet.web.failed")
        user_locked_out.connect(signals.login_locked_out, dispatch_uid="skolkvalitet.web.locked")
