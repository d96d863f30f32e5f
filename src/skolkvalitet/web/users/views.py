"""The user administration pages (`/administration/anvandare/`): the users of the organisers
where the user holds `Capability.MANAGE_USERS` (organiser_admin on the organiser node), with
their grants; creating a user with a first grant, granting and ending roles, deactivating and
reactivating. Others get 403 and see no link; a user or grant of another organiser is 404.
Views validate and dispatch to organisation/user_actions.py, which checks the scope again
and writes the audit log (docs/security.md "User administration")."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skolkvalitet.indicators.selectors import retention_erased_years
from skolkvalitet.organisation import user_actions
from skolkvalitet.organisation.retention_policy import (
    RETENTION_YEARS_MAX,
    RETENTION_YEARS_MIN,
    organiser_retention_years,
    retention_last_run,
    retention_period_set,
)
from skolkvalitet.organisation.scopes import Scope, scope_for_request
from skolkvalitet.web.forms import form_attach_error
from skolkvalitet.web.models import ExternalIdentity
from skolkvalitet.web.sso.actions import identity_unlink
from skolkvalitet.web.two_factor.actions import two_factor_remove
from skolkvalitet.web.two_factor.selectors import organisers_managed
from skolkvalitet.web.users.forms import (
    GrantForm,
    RetentionForm,
    UserCreateForm,
    UserDetailsForm,
    UserSearchForm,
)
from skolkvalitet.web.users.selectors import (
    assignment_managed,
    grant_nodes,
    may_manage_users,
    node_label,
    sign_in,
    user_managed,
    user_rows,
    users_managed_query,
)

USERS_PER_PAGE = 50


def _scope_that_manages_users(request: HttpRequest) -> Scope:
    scope = scope_for_request(request)
    if not may_manage_users(scope):
        raise PermissionDenied
    return scope


def _acting_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required
    return user


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


@login_required
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    scope = _scope_that_manages_users(request)
    search = UserSearchForm(request.GET or None)
    text, role = "", ""
    if search.is_valid():
        text, role = search.cleaned_data["sok"], search.cleaned_data["roll"]
    users = users_managed_query(scope, search=text, role=role)
    page = Paginator(users, USERS_PER_PAGE).get_page(request.GET.get("sida"))
    query = {key: value for key, value in (("sok", text), ("roll", role)) if value}
    context = {
        "search": search,
        "rows": user_rows(scope, list(page.object_list)),
        "page": page,
        "query": urlencode(query),
        "filtered": bool(text or role),
    }
    return render(request, "web/users/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    scope = _scope_that_manages_users(request)
    nodes = grant_nodes(scope)
    status = 200
    if request.method == "POST":
        form = UserCreateForm(request.POST, nodes=nodes)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = user_actions.user_create(
                    by=_acting_user(request),
                    scope=scope,
                    username=data["username"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    password=data["password"] or None,
                    role=data["role"],
                    node=data["node"],
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                    request=request,
                )
            except ValidationError as error:
                form_attach_error(form, error)
            else:
                messages.success(
                    request, _("The user %(name)s was created.") % {"name": _name(user)}
                )
                return redirect("users_detail", user_id=user.pk)
        status = 400
    else:
        form = UserCreateForm(nodes=nodes)
    return render(request, "web/users/create.html", {"form": form}, status=status)


def _detail_page(
    request: HttpRequest,
    scope: Scope,
    user_id: int,
    *,
    grant_form: GrantForm | None = None,
    details_form: UserDetailsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    row = user_managed(scope, user_id)
    user = row.user
    context = {
        "row": row,
        "managed": user,
        "is_self": user.pk == request.user.pk,
        "sign_in": sign_in(user),
        "grant_form": grant_form or GrantForm(nodes=grant_nodes(scope)),
        "details_form": details_form
        or UserDetailsForm(
            initial={
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
            }
        ),
    }
    return render(request, "web/users/detail.html", context, status=status)


@login_required
@require_GET
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    return _detail_page(request, _scope_that_manages_users(request), user_id)


@login_required
@require_POST
def grant_add(request: HttpRequest, user_id: int) -> HttpResponse:
    scope = _scope_that_manages_users(request)
    user = user_managed(scope, user_id).user
    form = GrantForm(request.POST, nodes=grant_nodes(scope))
    if form.is_valid():
        data = form.cleaned_data
        try:
            assignment = user_actions.grant_add(
                by=_acting_user(request),
                scope=scope,
                user=user,
                role=data["role"],
                node=data["node"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                request=request,
            )
        except ValidationError as error:
            form_attach_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s now holds the role %(role)s on %(node)s.")
                % {
                    "name": _name(user),
                    "role": assignment.get_role_display(),
                    "node": node_label(assignment.node),
                },
            )
            return redirect("users_detail", user_id=user.pk)
    return _detail_page(request, scope, user_id, grant_form=form, status=400)


@login_required
@require_POST
def grant_end(request: HttpRequest, user_id: int, assignment_id: int) -> HttpResponse:
    scope = _scope_that_manages_users(request)
    user = user_managed(scope, user_id).user
    assignment = assignment_managed(scope, user, assignment_id)
    try:
        user_actions.grant_end(
            by=_acting_user(request), scope=scope, assignment=assignment, request=request
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(
            request,
            _("The role %(role)s of %(name)s on %(node)s has ended.")
            % {
                "role": assignment.get_role_display(),
                "name": _name(user),
                "node": node_label(assignment.node),
            },
        )
    return redirect("users_detail", user_id=user.pk)


def _account_change(
    request: HttpRequest, user_id: int, action: Callable[..., User], done: str
) -> HttpResponse:
    scope = _scope_that_manages_users(request)
    user = user_managed(scope, user_id).user
    try:
        action(by=_acting_user(request), scope=scope, user=user, request=request)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, done % {"name": _name(user)})
    return redirect("users_detail", user_id=user.pk)


@login_required
@require_POST
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _account_change(
        request,
        user_id,
        user_actions.user_deactivate,
        _("%(name)s is inactive and can no longer log in."),
    )


@login_required
@require_POST
def user_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _account_change(
        request, user_id, user_actions.user_reactivate, _("%(name)s is active again.")
    )


@login_required
@require_POST
def user_details(request: HttpRequest, user_id: int) -> HttpResponse:
    scope = _scope_that_manages_users(request)
    user = user_managed(scope, user_id).user
    form = UserDetailsForm(request.POST)
    if form.is_valid():
        try:
            user_actions.user_details_change(
                by=_acting_user(request),
                scope=scope,
                user=user,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form_attach_error(form, error)
        else:
            messages.success(
                request, _("The details of %(name)s were saved.") % {"name": _name(user)}
            )
            return redirect("users_detail", user_id=user.pk)
    return _detail_page(request, scope, user_id, details_form=form, status=400)


def _sign_in_change(
    request: HttpRequest, user_id: int, change: Callable[[User], str]
) -> HttpResponse:
    """Change how a user signs in (the two-step device, a single sign-on link): only for a
    user who belongs to no organiser but the administrator's, as for the account itself."""
    scope = _scope_that_manages_users(request)
    user = user_managed(scope, user_id).user
    try:
        user_actions.require_wholly_managed(scope, user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, change(user))
    return redirect("users_detail", user_id=user.pk)


@login_required
@require_POST
def two_factor_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    """Remove a user's authenticator and recovery codes (a lost phone): the user sets up a
    new one at the next login where the organiser requires it (audit two_factor.remove, by
    administrator)."""

    def remove(user: User) -> str:
        two_factor_remove(user=user, by=_acting_user(request), request=request)
        return _(
            "The two-step verification of %(name)s is removed; a new one is set up at the next "
            "login where it is required."
        ) % {"name": _name(user)}

    return _sign_in_change(request, user_id, remove)


@login_required
@require_POST
def identity_remove(request: HttpRequest, user_id: int, identity_id: int) -> HttpResponse:
    """Unlink one of a user's single sign-on identities (audit sso_identity_unlink)."""

    def unlink(user: User) -> str:
        identity = get_object_or_404(ExternalIdentity, pk=identity_id, user=user)
        identity_unlink(identity=identity, by=_acting_user(request), request=request)
        return _("The link to %(issuer)s is removed from %(name)s.") % {
            "issuer": identity.issuer,
            "name": _name(user),
        }

    return _sign_in_change(request, user_id, unlink)


@login_required
@require_http_methods(["GET", "POST"])
def retention(request: HttpRequest) -> HttpResponse:
    """Each organiser the user manages (MANAGE_USERS on the organiser; others 403): its
    retention period of pupil-level data (own or the installation's default), when retention
    last ran and the years it erased; the period is set here (retention_period_set)."""
    scope = _scope_that_manages_users(request)
    organisers = organisers_managed(scope)
    if not organisers:
        raise PermissionDenied
    status = 200
    errors: dict[int, list[str]] = {}
    if request.method == "POST":
        form = RetentionForm(request.POST)
        form.is_valid()
        if "organiser" not in form.cleaned_data:
            return HttpResponse(status=400)
        chosen = next((o for o in organisers if o.pk == form.cleaned_data["organiser"]), None)
        if chosen is None:
            raise Http404
        try:
            if "years" in form.errors:
                raise ValidationError(list(form.errors["years"]))
            organiser = retention_period_set(
                organiser=chosen,
                years=form.cleaned_data["years"],
                by=_acting_user(request),
                request=request,
            )
        except ValidationError as error:
            errors[chosen.pk] = error.messages
            status = 400
        else:
            messages.success(
                request,
                _("%(organiser)s keeps pupil-level data for %(years)d years.")
                % {"organiser": organiser.name, "years": organiser_retention_years(organiser)},
            )
            return redirect("users_retention")
    rows = [
        {
            "organiser": organiser,
            "years": organiser_retention_years(organiser),
            "own": organiser.retention_years is not None,
            "last_run": retention_last_run(organiser),
            "erased": retention_erased_years(organiser),
            "errors": errors.get(organiser.pk, []),
        }
        for organiser in organisers
    ]
    context = {
        "rows": rows,
        "default_years": settings.SKOLKVALITET_RETENTION_YEARS,
        "min_years": RETENTION_YEARS_MIN,
        "max_years": RETENTION_YEARS_MAX,
    }
    return render(request, "web/users/retention.html", context, status=status)
