"""`skolkvalitet organiser_admin USERNAME [--organiser CODE]`: grant an existing user the
organiser administration role (organiser_admin) on the organiser, the operator's way to the
first administrator, who then manages the other users in the browser
(`/administration/anvandare/`, docs/operations.md "User administration")."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from skolkvalitet.organisation.actions import role_grant
from skolkvalitet.organisation.models import Role
from skolkvalitet.organisation.selectors import organiser_chosen


class Command(BaseCommand):
    help = "Grant an existing user the organiser administration role on the organiser."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--organiser",
            default="",
            metavar="CODE",
            help="the organiser (its organisationsnummer or kommunkod; needed when the "
            "database holds several)",
        )

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(
                f"No user {options['username']!r}; make one first "
                "(skolkvalitet createsuperuser, or changepassword for an existing one)."
            )
        if not user.is_active:
            raise CommandError(f"The user {user.username!r} is inactive.")
        try:
            organiser = organiser_chosen(options["organiser"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        role_grant(user=user, node=organiser, role=Role.ORGANISER_ADMIN)
        self.stdout.write(
            f"{user.username} administers {organiser.name}: "
            "users and their roles at /administration/anvandare/"
        )
