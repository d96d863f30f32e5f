"""What every endpoint shares: the token's scope, paging parameters and error answers."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Schema, Status
from pydantic import Field

from skolkvalitet.api.models import ApiToken
from skolkvalitet.organisation.scopes import Scope, scope_for

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class Paging(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")
    offset: int = Field(0, ge=0, le=2**31 - 1, description="Items to skip.")


def token_scope(request: HttpRequest) -> Scope:
    """The scope of the token's user: `scope_for` decides, as for the pages."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    return scope_for(token.user)


def not_found() -> Status:
    return Status(404, {"detail": _("Not found.")})


def invalid(field: str, message: str, kind: str = "value_error") -> Status:
    """A 422 answer about one query parameter, shaped like django-ninja's own."""
    return Status(
        422,
        {
            "detail": _("The request is not valid."),
            "errors": [{"loc": ["query", field], "msg": message, "type": kind}],
        },
    )
