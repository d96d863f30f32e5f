"""Password reset by e-mail for users with a local password (docs/security.md "Password
reset"): Django's PasswordResetView family, with

- the same answer whatever address is given: the page says a link was sent if the address
  belongs to an account, and mail goes only to active users with a usable password (Django's
  `PasswordResetForm.get_users`); single sign-on users without a password get none. The mail
  is sent by a thread of its own after the answer (`mail_sender`), so that the time an
  answer takes does not tell whether mail was sent; a failed sending is logged;
- rate limits counted in Django's cache: each client address may ask
  SKOLKVALITET_PASSWORD_RESET_PER_ADDRESS times an hour (then 429, which says nothing about
  any account), and each e-mail address is sent at most SKOLKVALITET_PASSWORD_RESET_PER_EMAIL
  links an hour (past it nothing is sent and the answer is the same), so nobody's mailbox can
  be flooded;
- the link built on SKOLKVALITET_SITE_URL when it is set (not on the request's Host header),
  valid PASSWORD_RESET_TIMEOUT and once (the token is bound to the password it replaces);
- the password validators on the new password (Django's SetPasswordForm);
- the audit log: `password_reset.request` (the user a link was sent to, or none, never the
  typed address) and `password_reset.complete`, with the client address.
"""

from __future__ import annotations

import hashlib
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template import loader

from skolkvalitet.organisation.audit import audit_record
from skolkvalitet.organisation.client_address import client_address

logger = logging.getLogger("skolkvalitet.security")

WINDOW_SECONDS = 3600


def count_within_limit(key: str, limit: int, *, window: int = WINDOW_SECONDS) -> bool:
    """Count one more use of `key` in the current window (fixed, from its first use); True
    while the count is within `limit`."""
    if cache.add(key, 1, window):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count <= limit


_sender: ThreadPoolExecutor | None = None
_sender_pid = 0


def mail_sender() -> ThreadPoolExecutor:
    """The one thread of this process that sends password reset mail, one message after
    another (made at first use in each process, so a server that forks its workers gives
    each its own)."""
    global _sender, _sender_pid
    if _sender is None or _sender_pid != os.getpid():
        _sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="password-reset-mail")
        _sender_pid = os.getpid()
    return _sender


def mail_sent() -> None:
    """Wait until every reset mail handed to the sender so far is sent (or has failed)."""
    mail_sender().submit(lambda: None).result(timeout=60)


def _send(message: EmailMultiAlternatives, user_id: int) -> None:
    try:
        message.send()
    except Exception:
        logger.exception("password reset mail to user %s not sent", user_id)


def _email_key(email: str) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"password_reset_email_{digest}"


class PasswordResetRequestForm(PasswordResetForm):
    """Django's form, audit-logging whom a link went to and sending the mail after the
    answer."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict,
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        """Django's message, made here (in the request's language) and sent by the mail
        sender's thread."""
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        message = EmailMultiAlternatives(subject, body, from_email, [to_email])
        if html_email_template_name is not None:
            html = loader.render_to_string(html_email_template_name, context)
            message.attach_alternative(html, "text/html")
        mail_sender().submit(_send, message, context["user"].pk)

    def send_links(self, *, request: HttpRequest, **options) -> None:
        """Django's PasswordResetForm.save, named for what it does: it mails a link to each
        active user with a usable password at the address given, and writes no row; then
        `password_reset.request` is audit-logged for each (or once for none)."""
        users = list(self.get_users(self.cleaned_data["email"]))
        PasswordResetForm.save(self, request=request, **options)
        for user in users:
            audit_record(
                user=None,
                action="password_reset.request",
                detail={"user_id": user.pk, "username": user.get_username()},
                request=request,
            )
        if not users:
            audit_record(
                user=None,
                action="password_reset.request",
                detail={"user_id": None},
                request=request,
            )


def _enabled() -> None:
    """Off with SKOLKVALITET_PASSWORD_RESET=0, and where passwords are refused altogether
    (SKOLKVALITET_PASSWORD_LOGIN=0: single sign-on only, web/sso/)."""
    passwords = getattr(settings, "SKOLKVALITET_PASSWORD_LOGIN", True)
    if not (settings.SKOLKVALITET_PASSWORD_RESET and passwords):
        raise Http404


class PasswordResetRequestView(auth_views.PasswordResetView):
    form_class = PasswordResetRequestForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.html"
    subject_template_name = "registration/password_reset_subject.txt"
    extra_email_context = {"site_name": "Skolkvalitet"}

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        _enabled()
        return super().dispatch(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        address = client_address(request)
        key = f"password_reset_address_{address or 'unknown'}"
        if not count_within_limit(key, settings.SKOLKVALITET_PASSWORD_RESET_PER_ADDRESS):
            logger.warning("password reset requests limited for %s", address)
            audit_record(
                user=None,
                action="password_reset.limited",
                detail={"limit": "address"},
                request=request,
            )
            return render(request, "registration/password_reset_limited.html", status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: PasswordResetRequestForm) -> HttpResponse:
        email = form.cleaned_data["email"]
        if not count_within_limit(
            _email_key(email), settings.SKOLKVALITET_PASSWORD_RESET_PER_EMAIL
        ):
            logger.warning("password reset links limited for one e-mail address")
            audit_record(
                user=None,
                action="password_reset.limited",
                detail={"limit": "email"},
                request=self.request,
            )
            return HttpResponseRedirect(self.get_success_url())
        site = urlsplit(settings.SKOLKVALITET_SITE_URL) if settings.SKOLKVALITET_SITE_URL else None
        form.send_links(
            domain_override=site.netloc if site else None,
            use_https=site.scheme == "https" if site else self.request.is_secure(),
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            html_email_template_name=self.html_email_template_name,
            extra_email_context=self.extra_email_context,
        )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        _enabled()
        return super().dispatch(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        _enabled()
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(user=form.user, action="password_reset.complete", request=self.request)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        _enabled()
        return super().dispatch(request, *args, **kwargs)
