"""The two-factor login enforced on every request (docs/security.md, "Two-factor login").

After django-otp's OTPMiddleware has said whether the session is verified: a logged-in user
who has an authenticator gives a code before anything else, and a user whom an organiser's
policy requires to verify (policy.py) and who has none sets one up first. Until then only the
set-up and code pages, logging out and in, static files, the public pages and the JSON API
(which takes no session: an API token is a factor of its own, docs/api.md) answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from skolkvalitet.organisation.scopes import Scope, scope_for, scope_for_request
from skolkvalitet.web.two_factor.policy import Step, next_step, two_factor_required
from skolkvalitet.web.two_factor.selectors import (
    device_and_organisers_requiring,
    session_verified,
)

Handler = Callable[[HttpRequest], HttpResponse]

# Answered whatever the session's state: they hold nothing of an organiser's. The login pages
# and single sign-on (/sso/) only start or finish a login, which does not verify a session.
OPEN_PREFIXES = ("/api/", "/offentlig/", "/login/", "/sso/", "/healthz")


# The session keeps what was last decided for it, and when (whole seconds since the epoch),
# and the decision is made again at most this often: a policy switched on, or an authenticator
# set up in another session, applies to a session without a code within a minute, and the
# other requests of that minute cost no query. Decided at login too (state_at_login), so that
# a session starts with it.
SESSION_STATE = "_skolkvalitet_two_factor"
RECHECK_SECONDS = 60


def step_decided(user, scope: Scope) -> Step:
    """What `user`, whose session has given no code, must do first: one query for the
    authenticator and the policies of the organisers above the user's pupil-access grants,
    decided by policy.py."""
    device, requiring = device_and_organisers_requiring(user, scope)
    required = two_factor_required(scope.grants, requiring)
    return next_step(required=required, has_device=device, verified=False)


def _remember(request: HttpRequest, step: Step) -> None:
    request.session[SESSION_STATE] = {"step": step.value, "at": int(time.time())}


def state_forget(request: HttpRequest) -> None:
    """Decide again at the next request (after a device is removed or a policy changed)."""
    request.session.pop(SESSION_STATE, None)


def state_at_login(sender: object, request: HttpRequest | None, user, **kwargs: object) -> None:
    """At login (the user_logged_in signal, connected in web/apps.py): the session's first
    decision, saved with the login itself."""
    if request is not None and hasattr(request, "session"):
        _remember(request, step_decided(user, scope_for(user)))


def step_for(request: HttpRequest) -> Step:
    """What the request's user must do first; Step.NONE for anyone else."""
    user = request.user
    if not user.is_authenticated or session_verified(user):
        return Step.NONE
    stored = request.session.get(SESSION_STATE)
    if (
        isinstance(stored, dict)
        and stored.get("step") in set(Step)
        and 0 <= int(time.time()) - int(stored.get("at", 0)) < RECHECK_SECONDS
    ):
        return Step(stored["step"])
    step = step_decided(user, scope_for_request(request))
    _remember(request, step)
    return step


def open_paths() -> set[str]:
    return {
        reverse("two_factor_verify"),
        reverse("two_factor"),
        reverse("logout"),
    }


def is_open(path: str) -> bool:
    static = "/" + settings.STATIC_URL.lstrip("/")
    return path.startswith((*OPEN_PREFIXES, static)) or path in open_paths()


class TwoFactorMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_open(request.path_info):
            step = step_for(request)
            if step is not Step.NONE:
                return self.redirect(request, step)
        return self.get_response(request)

    @staticmethod
    def redirect(request: HttpRequest, step: Step) -> HttpResponse:
        target = reverse("two_factor_verify" if step is Step.VERIFY else "two_factor")
        if request.method == "GET" and not request.headers.get("HX-Request"):
            target += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            # A fragment or a poll: the whole page goes to the code step, not the fragment.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)
