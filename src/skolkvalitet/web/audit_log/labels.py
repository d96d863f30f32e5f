"""The audit log's actions as the page names them (Swedish through the catalogue). An action
without a label here is shown by its code."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    # pupil-level data
    "view_pupils_at_risk": _("Viewed the list of pupils who need support"),
    "export_pupils_at_risk": _("Downloaded the list of pupils who need support"),
    "view_pupil_history": _("Viewed a pupil's history"),
    # logins
    "login": _("Logged in"),
    "login_failed": _("Failed login"),
    "login_locked_out": _("Login locked out"),
    "login_sso": _("Logged in through single sign-on"),
    "login_sso_refused": _("Single sign-on refused"),
    "two_factor.enrol": _("Two-step verification set up"),
    "two_factor.verify": _("Two-step verification passed"),
    "two_factor.failed": _("Two-step verification failed"),
    "two_factor.remove": _("Two-step verification removed"),
    "two_factor.recovery_codes": _("New recovery codes"),
    "password_reset.request": _("Password reset asked for"),
    "password_reset.complete": _("Password reset"),
    "password_reset.limited": _("Password reset refused (too many)"),
    # users and roles
    "role_grant": _("Role granted or changed"),
    "role_revoke": _("Role removed"),
    # Written beside role_grant by the user administration until one change became one
    # event (role_grant's); kept so that the older entries still read as words.
    "role.grant": _("Role granted (user administration, older entry)"),
    "role.end": _("Role ended (user administration)"),
    "user.create": _("User created"),
    "user.change": _("User changed"),
    "user.deactivate": _("User deactivated"),
    "user.reactivate": _("User reactivated"),
    "policy.two_factor": _("Two-step verification policy changed"),
    # API
    "api.request": _("API request with a token"),
    "api_token.create": _("API key created"),
    "api_token.revoke": _("API key revoked"),
    # imports and operations
    "import_upload": _("File uploaded for import"),
    "import": _("Import"),
    "import_rollback": _("Import rolled back"),
    "retention": _("Retention (gallring)"),
    "policy.retention": _("Retention period changed"),
    "pseudonym_key_rotate": _("Pseudonym key rotated"),
    "audit_log.export": _("Downloaded the audit log"),
    # quality work
    "report_start": _("Quality report started"),
    "report_section_save": _("Quality report section saved"),
    "report_submit": _("Quality report submitted"),
    "report_return": _("Quality report returned"),
    "report_approve": _("Quality report approved"),
    "report_comment": _("Comment on a quality report"),
    "report_observation_take": _("Observation taken into a report"),
    "report_template_save": _("Report template saved"),
    "report_deadline_set": _("Report deadline set"),
    "report_deadline_remove": _("Report deadline removed"),
    "document_job_create": _("Document ordered"),
    "document_download": _("Document downloaded"),
    "annual_report_publish": _("Quality report published"),
    "annual_report_unpublish": _("Quality report withdrawn from publication"),
    "public_key_figures": _("Public key figures changed"),
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
