"""`skolkvalitet api_token create USERNAME --name NAME [--days N]` prints a new API token
once; `skolkvalitet api_token list [--user USERNAME]` lists tokens (never the tokens
themselves); `skolkvalitet api_token revoke ID` revokes one for good."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from skolkvalitet.api.actions import api_token_create, api_token_revoke
from skolkvalitet.api.models import ApiToken


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


class Command(BaseCommand):
    help = "Create, list and revoke API tokens (docs/api.md)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it once.")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="what the token is for")
        create.add_argument(
            "--days",
            type=int,
            help="valid for N days (default SKOLKVALITET_API_TOKEN_DAYS, 90; "
            "at most SKOLKVALITET_API_TOKEN_MAX_DAYS, 365)",
        )
        listing = sub.add_parser("list", help="List tokens (not the tokens themselves).")
        listing.add_argument("--user", metavar="USERNAME")
        revoke = sub.add_parser("revoke", help="Revoke a token by its id.")
        revoke.add_argument("id", type=int)

    def handle(self, *args, action: str, **options):
        getattr(self, f"_{action}")(**options)

    def _create(self, *, username: str, name: str, days: int | None, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user named %(username)s.") % {"username": username})
        try:
            row, token = api_token_create(user=user, name=name, days=days)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stderr.write(
            _("Token %(id)s for %(username)s; shown only this once:")
            % {"id": row.pk, "username": username}
        )
        self.stdout.write(token)

    def _list(self, *, user: str | None, **options) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("pk")
        if user:
            tokens = tokens.filter(user__username=user)
        self.stdout.write(
            f"{'id':>5}  {'user':<16} {'status':<8} {'created':<16} {'last used':<16} "
            f"{'expires':<16} name"
        )
        for t in tokens:
            self.stdout.write(
                f"{t.pk:>5}  {t.user.get_username():<16} {t.status:<8} {_when(t.created):<16} "
                f"{_when(t.last_used):<16} {_when(t.expires):<16} {t.name}"
            )

    def _revoke(self, *, id: int, **options) -> None:
        token = ApiToken.objects.filter(pk=id).first()
        if token is None:
            raise CommandError(_("No API token with id %(id)s.") % {"id": id})
        api_token_revoke(token=token)
        self.stdout.write(_("Token %(id)s is revoked.") % {"id": id})
