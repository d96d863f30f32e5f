"""Every write of the user administration (`/administration/anvandare/`, web/users/): named,
atomic, audit-logged, and checked against the acting user's scope again, whatever the view
already checked.

Who may: holders of `Capability.MANAGE_USERS` (organiser_admin), which counts only on an
organiser node (organisation/roles.py), for that organiser's tree.

Which users belong to an organiser: those holding a role grant, of any date, ended ones
included, on a node of its tree. A user belongs to no organiser until granted a role, so a new
user is created together with a first grant in one atomic action (`user_create`): no user is
left without an organiser. A user may belong to several organisers (grants in each); the
account itself (active or not, name, e-mail) is then changed by none of their administrators
alone (`_require_wholly_managed`), since a change made in one organiser would act in the other
(a changed e-mail address would receive the other's password reset).

The rule that an organiser keeps an administrator: after every write here, each organiser it
touched must still have an active user whose grant, valid today (`grants_valid_q`), gives
`MANAGE_USERS` on the organiser's own node; else the write is refused and rolled back. So
neither ending a grant, changing its dates, nor deactivating a user can leave an organiser
that nobody can administer in the browser. Nobody deactivates their own account.

A grant is ended, never deleted, so that who held which role when stays readable: its last
day becomes yesterday, since a grant counts through its `valid_until` day and an ended grant
must stop counting at once.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skolkvalitet.organisation.actions import role_grant
from skolkvalitet.organisation.audit import audit_record
from skolkvalitet.organisation.models import Node, RoleAssignment
from skolkvalitet.organisation.roles import ROLE_SPECS, Capability
from skolkvalitet.organisation.scopes import Grant, Scope, grants_valid_q, organiser_ids


def managed_organiser_ids(scope: Scope) -> set[int]:
    """The organisers whose users `scope` may manage (MANAGE_USERS on the organiser node)."""
    return organiser_ids(scope.paths_with(Capability.MANAGE_USERS))


def user_organiser_ids(user: User) -> set[int]:
    """The organisers `user` belongs to: those with a grant of theirs, of any date, in their
    tree."""
    paths = RoleAssignment.objects.filter(user=user).values_list("node__path", flat=True)
    return organiser_ids(paths)


def organiser_has_administrator(organiser_id: int, *, on: dt.date | None = None) -> bool:
    """An active user holds a grant, valid on `on` (default today), that gives MANAGE_USERS on
    the organiser's own node."""
    grants = (
        RoleAssignment.objects.filter(node_id=organiser_id, user__is_active=True)
        .filter(grants_valid_q(on or timezone.localdate()))
        .values_list("node_id", "node__path", "role")
    )
    return any(Grant(*row).allows(Capability.MANAGE_USERS) for row in grants)


def _require_manages(scope: Scope, node: Node) -> None:
    if not scope.can(Capability.MANAGE_USERS, node):
        raise PermissionDenied


def _require_member(scope: Scope, user: User) -> None:
    """`user` belongs to an organiser that `scope` manages."""
    if not user_organiser_ids(user) & managed_organiser_ids(scope):
        raise PermissionDenied


def _require_wholly_managed(scope: Scope, user: User) -> None:
    """`user` belongs only to organisers that `scope` manages."""
    _require_member(scope, user)
    if not user_organiser_ids(user) <= managed_organiser_ids(scope):
        raise ValidationError(
            _(
                "This user also holds roles in another organiser. End the roles here instead; "
                "the account itself is changed by the administrators of both."
            )
        )


def require_wholly_managed(scope: Scope, user: User) -> None:
    """Refuse (PermissionDenied, or ValidationError with the reason) unless `user` belongs only
    to organisers that `scope` manages: what an administrator may change of the account itself
    (its sign-in: two-step device, single sign-on links) alone."""
    _require_wholly_managed(scope, user)


def _require_administrators(organiser_ids_: set[int]) -> None:
    for organiser_id in sorted(organiser_ids_):
        if not organiser_has_administrator(organiser_id):
            raise ValidationError(
                _(
                    "The organiser would have no active administrator left. Grant the role "
                    "to someone else first."
                )
            )


def _organiser_of(node: Node) -> int:
    return node.ancestor_ids()[0]


def _lock(organiser_ids_: set[int]) -> None:
    """Lock the organisers' nodes until the transaction ends, so that two administrators
    who end each other's grants at once cannot both pass the last-administrator rule
    (PostgreSQL; SQLite's write transactions run one at a time anyway)."""
    list(Node.objects.select_for_update().filter(pk__in=organiser_ids_).order_by("pk"))


def _fresh_user(user: User) -> User:
    """The stored user, not the caller's instance: a refused write leaves that as it was."""
    return get_user_model().objects.get(pk=user.pk)


def _grant_detail(assignment: RoleAssignment) -> dict:
    return {
        "user_id": assignment.user_id,
        "username": assignment.user.get_username(),
        "role": assignment.role,
        "valid_from": assignment.valid_from.isoformat() if assignment.valid_from else None,
        "valid_until": assignment.valid_until.isoformat() if assignment.valid_until else None,
    }


def _grant(
    *,
    user: User,
    node: Node,
    role: str,
    valid_from: dt.date | None,
    valid_until: dt.date | None,
    by: User,
    request,
) -> RoleAssignment:
    """role_grant (which writes the grant's one audit event, `role_grant`, for a new grant or
    changed dates, as done by `by` from `request`'s address, with the dates it replaced),
    with its refusals put on the end date they are about."""
    if role not in ROLE_SPECS:
        raise ValidationError({"role": _("Choose a role.")})
    try:
        return role_grant(
            user=user,
            node=node,
            role=role,
            valid_from=valid_from,
            valid_until=valid_until,
            by=by,
            request=request,
        )
    except ValidationError as error:
        raise ValidationError({"valid_until": error.messages}) from error


@transaction.atomic
def user_create(
    *,
    by: User,
    scope: Scope,
    username: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    password: str | None = None,
    role: str,
    node: Node,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    request=None,
) -> User:
    """Create a user with a first grant of `role` on `node`, which ties the user to the
    node's organiser. Without a password the user logs in through single sign-on only (an
    unusable password; no password reset either). Audit: `user.create` and (by role_grant)
    `role_grant`."""
    _require_manages(scope, node)
    model = get_user_model()
    username = model.normalize_username(username.strip())
    if model.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("A user with that username already exists.")})
    user = model(
        username=username,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=model.objects.normalize_email(email.strip()),
    )
    user.full_clean(exclude=["password"], validate_unique=False)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from error
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    _grant(
        user=user,
        node=node,
        role=role,
        valid_from=valid_from,
        valid_until=valid_until,
        by=by,
        request=request,
    )
    organiser = Node.objects.get(pk=_organiser_of(node))
    audit_record(
        user=by,
        action="user.create",
        node=organiser,
        detail={
            "user_id": user.pk,
            "username": user.get_username(),
            "local_password": bool(password),
        },
        request=request,
    )
    return user


@transaction.atomic
def grant_add(
    *,
    by: User,
    scope: Scope,
    user: User,
    role: str,
    node: Node,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    request=None,
) -> RoleAssignment:
    """Grant `user` (who belongs to an organiser the acting user manages) `role` on `node`
    of a managed organiser. The same role on the same node again changes that grant's dates
    (and opens an ended one again). Audit (by role_grant): `role_grant`, with the dates it
    replaced; none when nothing changed."""
    _require_manages(scope, node)
    _require_member(scope, user)
    _lock({_organiser_of(node)})
    assignment = _grant(
        user=user,
        node=node,
        role=role,
        valid_from=valid_from,
        valid_until=valid_until,
        by=by,
        request=request,
    )
    _require_administrators({_organiser_of(node)})
    return assignment


@transaction.atomic
def grant_end(
    *, by: User, scope: Scope, assignment: RoleAssignment, request=None
) -> RoleAssignment:
    """End a grant at once: its last day becomes yesterday (the row stays, as history). A
    grant that had not begun by then is given yesterday as its first day too. Audit:
    `role.end`."""
    node = assignment.node
    _require_manages(scope, node)
    _lock({_organiser_of(node)})
    assignment = RoleAssignment.objects.select_related("node", "user").get(pk=assignment.pk)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    if assignment.valid_until is not None and assignment.valid_until <= yesterday:
        raise ValidationError(_("This role has already ended."))
    previous_until = assignment.valid_until
    assignment.valid_until = yesterday
    if assignment.valid_from is not None and assignment.valid_from > yesterday:
        assignment.valid_from = yesterday
    assignment.save(update_fields=["valid_from", "valid_until"])
    _require_administrators({_organiser_of(node)})
    detail = _grant_detail(assignment)
    detail["replaced"] = {"valid_until": previous_until.isoformat() if previous_until else None}
    audit_record(user=by, action="role.end", node=node, detail=detail, request=request)
    return assignment


def _account_event(*, by: User, user: User, action: str, detail: dict, request) -> None:
    organisers = Node.objects.filter(pk__in=user_organiser_ids(user)).order_by("pk")
    for organiser in organisers:
        audit_record(
            user=by,
            action=action,
            node=organiser,
            detail={"user_id": user.pk, "username": user.get_username(), **detail},
            request=request,
        )


@transaction.atomic
def user_deactivate(*, by: User, scope: Scope, user: User, request=None) -> User:
    """Deactivate `user`: no login, no API token, no grant counts while inactive. Not
    oneself, not a user of another organiser too, not the organiser's last administrator.
    Audit: `user.deactivate`."""
    if user.pk == by.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    _require_wholly_managed(scope, user)
    _lock(user_organiser_ids(user))
    user = _fresh_user(user)
    if not user.is_active:
        raise ValidationError(_("This user is already inactive."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    _require_administrators(user_organiser_ids(user))
    _account_event(by=by, user=user, action="user.deactivate", detail={}, request=request)
    return user


@transaction.atomic
def user_reactivate(*, by: User, scope: Scope, user: User, request=None) -> User:
    """Make `user` active again; their grants count again as their dates say. Audit:
    `user.reactivate`."""
    _require_wholly_managed(scope, user)
    user = _fresh_user(user)
    if user.is_active:
        raise ValidationError(_("This user is already active."))
    user.is_active = True
    user.save(update_fields=["is_active"])
    _account_event(by=by, user=user, action="user.reactivate", detail={}, request=request)
    return user


@transaction.atomic
def user_details_change(
    *,
    by: User,
    scope: Scope,
    user: User,
    first_name: str,
    last_name: str,
    email: str,
    request=None,
) -> User:
    """Change a user's name and e-mail address (where password reset mail goes). Not for a
    user of another organiser too. Audit: `user.change`, naming the fields changed."""
    _require_wholly_managed(scope, user)
    user = _fresh_user(user)
    model = get_user_model()
    new = {
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "email": model.objects.normalize_email(email.strip()),
    }
    changed = sorted(field for field, value in new.items() if getattr(user, field) != value)
    if not changed:
        return user
    for field, value in new.items():
        setattr(user, field, value)
    user.full_clean(exclude=["password", "username"], validate_unique=False)
    user.save(update_fields=list(new))
    _account_event(
        by=by, user=user, action="user.change", detail={"changed": changed}, request=request
    )
    return user
