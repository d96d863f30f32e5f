"""`/administration/logg/`: the audit log (web/audit_log/views.py)."""

from django.urls import path

from skolkvalitet.web.audit_log import views

urlpatterns = [
    path("", views.audit_log, name="audit_log"),
]
