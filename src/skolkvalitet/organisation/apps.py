from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "skolkvalitet.organisation"
    label = "organisation"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from skolkvalitet.organisation import audit

        # The audit log's events take the address of the request being answered
        # (organisation/audit.py).
        request_started.connect(audit.request_began, dispatch_uid="audit_request_began")
        request_finished.connect(audit.request_ended, dispatch_uid="audit_request_ended")
