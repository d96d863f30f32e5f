"""The page "API-nycklar" (`/konto/api-nycklar/`): a user's own API tokens, made and revoked in
the browser (docs/api.md, "Tokens"). Only the owner sees or revokes a token: another user's
token answers 404 like a missing one. A new token is shown in the answer to the form that
made it and nowhere else (only its hash is stored). Writes go through api/actions.py, which
audit-logs them."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from skolkvalitet.api.actions import api_token_create, api_token_revoke
from skolkvalitet.api.models import ApiToken
from skolkvalitet.web.forms import form_attach_error


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the key is for, e.g. the system that uses it."),
    )
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"),
        min_value=1,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The longest lifetime is checked by api_token_create, which says it in words.
        days = self.fields["days"]
        days.widget.attrs["max"] = settings.SKOLKVALITET_API_TOKEN_MAX_DAYS
        days.initial = settings.SKOLKVALITET_API_TOKEN_DAYS


def _owner(request: HttpRequest) -> User:
    """The logged-in user (login_required has seen to it), whose tokens the page shows."""
    assert isinstance(request.user, User)
    return request.user


def _page(request: HttpRequest, form: TokenForm, *, new_token: str = "", status: int = 200):
    tokens = ApiToken.objects.filter(user=_owner(request)).order_by("-created", "-pk")
    return render(
        request,
        "api/tokens.html",
        {
            "tokens": tokens,
            "form": form,
            "new_token": new_token,
            "max_days": settings.SKOLKVALITET_API_TOKEN_MAX_DAYS,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, TokenForm())
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            _row, token = api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            form_attach_error(form, error)
        else:
            # Shown in this answer only: nothing keeps the token, so it is never shown again.
            return _page(request, TokenForm(), new_token=token)
    return _page(request, form, status=400)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=_owner(request))
    api_token_revoke(token=token, by=request.user, request=request)
    messages.success(request, _("The key “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api_tokens")
