"""`skolkvalitet sso_identity list [--user USERNAME]` lists the identities at identity
providers that log users in (single sign-on); `skolkvalitet sso_identity unlink ID` removes
one, e.g. when a person's account at the provider was given to someone else
(docs/operations.md "Single sign-on")."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from skolkvalitet.web.models import ExternalIdentity
from skolkvalitet.web.sso.actions import identity_unlink


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


class Command(BaseCommand):
    help = "List and unlink users' single sign-on identities (docs/operations.md)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="List the linked identities.")
        listing.add_argument("--user", metavar="USERNAME")
        unlink = sub.add_parser("unlink", help="Unlink an identity by its id.")
        unlink.add_argument("id", type=int)

    def handle(self, *args, action: str, **options):
        getattr(self, f"_{action}")(**options)

    def _list(self, *, user: str | None, **options) -> None:
        identities = ExternalIdentity.objects.select_related("user").order_by("pk")
        if user:
            identities = identities.filter(user__username=user)
        self.stdout.write("id\tusername\tprotocol\tissuer\tsubject\tlinked\tlast login")
        for row in identities:
            self.stdout.write(
                f"{row.pk}\t{row.user.get_username()}\t{row.protocol}\t{row.issuer}\t"
                f"{row.subject}\t{_when(row.linked_at)}\t{_when(row.last_login_at)}"
            )

    def _unlink(self, *, id: int, **options) -> None:
        identity = ExternalIdentity.objects.select_related("user").filter(pk=id).first()
        if identity is None:
            raise CommandError(_("No single sign-on identity with id %(id)s.") % {"id": id})
        identity_unlink(identity=identity)
        self.stdout.write(
            _("Unlinked %(subject)s at %(issuer)s from %(username)s.")
            % {
                "subject": identity.subject,
                "issuer": identity.issuer,
                "username": identity.user.get_username(),
            }
        )
