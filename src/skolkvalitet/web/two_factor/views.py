"""The two-factor pages (docs/security.md, "Two-factor login"):

- /konto/tvastegsverifiering/ — set up an authenticator (a QR code and the key as text, then a
  first code before anything is saved; the recovery codes shown once), or see that it is on,
  make new recovery codes or remove it (each after a code);
- /konto/tvastegsverifiering/kod/ — the code step after logging in;
- /konto/tvastegsverifiering/krav/ — the organisers' policy, for holders of MANAGE_USERS.
"""

from __future__ import annotations

from urllib.parse import urlencode

import django_otp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from skolkvalitet.organisation.models import Node
from skolkvalitet.organisation.scopes import scope_for_request
from skolkvalitet.web.forms import form_attach_error
from skolkvalitet.web.two_factor import actions, devices
from skolkvalitet.web.two_factor.forms import CodeForm, PolicyForm
from skolkvalitet.web.two_factor.middleware import state_forget
from skolkvalitet.web.two_factor.selectors import (
    must_verify,
    organisers_managed,
    recovery_codes_left,
    session_verified,
    totp_device_for,
)

# The key being set up, kept in the session until its first code is given.
PENDING_KEY = "_skolkvalitet_totp_pending"


def _next_url(request: HttpRequest) -> str:
    """Where to go after the code step: `next` if it is on this site, else the start page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _refused(form: CodeForm, verification: actions.Verification) -> None:
    if verification.locked_until is not None:
        until = timezone.localtime(verification.locked_until)
        form.add_error(
            "code",
            _("Too many wrong codes. Try again after %(time)s.")
            % {"time": formats.time_format(until, "H:i:s")},
        )
    else:
        form.add_error("code", _("The code is not right."))


def _codes_page(request: HttpRequest, codes: list[str], *, then: str) -> HttpResponse:
    """The recovery codes, shown in this answer only (they are never shown again), with a
    link on to `then`."""
    return render(request, "web/two_factor/recovery_codes.html", {"codes": codes, "then": then})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = totp_device_for(user)
    if device is not None:
        if not session_verified(user):
            return redirect(reverse("two_factor_verify") + "?" + urlencode({"next": request.path}))
        return _manage_page(request)
    key = request.session.get(PENDING_KEY)
    if not (isinstance(key, str) and devices.key_valid(key)):
        key = devices.key_new()
        request.session[PENDING_KEY] = key
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = actions.two_factor_enrol(
                user=user, key=key, code=form.cleaned_data["code"], request=request
            )
        except ValidationError as error:
            form_attach_error(form, error)
        else:
            del request.session[PENDING_KEY]
            request.session.cycle_key()  # a session that gained a factor gets a new key
            django_otp.login(request, device)  # the code just given verifies this session
            return _codes_page(request, codes, then=_next_url(request))
    url = devices.config_url(user, key)
    return render(
        request,
        "web/two_factor/enrol.html",
        {
            "form": form,
            "qr": devices.qr_svg(url, title=_("QR code for your authenticator app")),
            "secret": devices.secret_text(key),
            "required": must_verify(scope_for_request(request)),
            "next": _next_url(request),
            "may_set_policy": bool(organisers_managed(scope_for_request(request))),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if session_verified(user):
        return redirect(_next_url(request))
    if totp_device_for(user) is None:
        return redirect("two_factor")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verification = actions.two_factor_verify(
            user=user,
            code=form.cleaned_data["code"],
            purpose=actions.Purpose.LOGIN,
            request=request,
        )
        if verification.ok:
            request.session.cycle_key()  # a session that gained a factor gets a new key
            django_otp.login(request, verification.device)
            return redirect(_next_url(request))
        _refused(form, verification)
    return render(request, "web/two_factor/verify.html", {"form": form, "next": _next_url(request)})


def _verified_again(request: HttpRequest, form: CodeForm, purpose: actions.Purpose) -> bool:
    if not form.is_valid():
        return False
    verification = actions.two_factor_verify(
        user=request.user, code=form.cleaned_data["code"], purpose=purpose, request=request
    )
    if not verification.ok:
        _refused(form, verification)
    return verification.ok


def _manage_page(request: HttpRequest, **forms: CodeForm) -> HttpResponse:
    """The page of a user with an authenticator; with `forms`, those forms' errors (400)."""
    user = request.user
    context = {
        "device": totp_device_for(user),
        "codes_left": recovery_codes_left(user),
        "remove_form": CodeForm(auto_id="remove_%s"),
        "codes_form": CodeForm(auto_id="codes_%s"),
        "may_set_policy": bool(organisers_managed(scope_for_request(request))),
    }
    context.update(forms)
    return render(request, "web/two_factor/manage.html", context, status=400 if forms else 200)


@login_required
@require_POST
def remove(request: HttpRequest) -> HttpResponse:
    """Remove the authenticator, after a code from it (or a recovery code)."""
    if totp_device_for(request.user) is None:
        return redirect("two_factor")
    form = CodeForm(request.POST, auto_id="remove_%s")
    if not _verified_again(request, form, actions.Purpose.REMOVE):
        return _manage_page(request, remove_form=form)
    actions.two_factor_remove(user=request.user, by=request.user, request=request)
    state_forget(request)  # asked again at once whether a device is required
    messages.success(request, _("Two-step verification is removed."))
    return redirect("two_factor")


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, after a code (the old ones stop working)."""
    if totp_device_for(request.user) is None:
        return redirect("two_factor")
    form = CodeForm(request.POST, auto_id="codes_%s")
    if not _verified_again(request, form, actions.Purpose.RECOVERY_CODES):
        return _manage_page(request, codes_form=form)
    codes = actions.recovery_codes_replace(user=request.user, request=request)
    return _codes_page(request, codes, then=reverse("two_factor"))


@login_required
@require_http_methods(["GET", "POST"])
def policy(request: HttpRequest) -> HttpResponse:
    """Whether each organiser the user manages requires two-step verification of every user
    with pupil access (MANAGE_USERS on the organiser; others 403)."""
    organisers = organisers_managed(scope_for_request(request))
    if not organisers:
        raise PermissionDenied
    if request.method == "POST":
        form = PolicyForm(request.POST)
        if not form.is_valid():
            return HttpResponse(status=400)
        chosen = next((o for o in organisers if o.pk == form.cleaned_data["organiser"]), None)
        if chosen is None:
            raise Http404
        organiser: Node = actions.two_factor_policy_set(
            organiser=chosen,
            required=form.cleaned_data["required"],
            by=request.user,
            request=request,
        )
        if organiser.two_factor_required:
            text = _(
                "%(organiser)s now requires two-step verification for roles with pupil access."
            )
        else:
            text = _("%(organiser)s no longer requires two-step verification.")
        state_forget(request)  # the new rule applies to this session at once
        messages.success(request, text % {"organiser": organiser.name})
        return redirect("two_factor_policy")
    return render(request, "web/two_factor/policy.html", {"organisers": organisers})
