"""Deployment checks: `skolkvalitet check --deploy` adds these to Django's own."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import connection


@register(Tags.security, deploy=True)
def keys_from_environment(app_configs, **kwargs):
    problems = []
    if settings.SECRET_KEY_FROM_FILE:
        problems.append(
            Warning(
                "SECRET_KEY comes from a file under the var directory.",
                hint="Set SECRET_KEY in the environment from the secret store.",
                id="skolkvalitet.W001",
            )
        )
    if not settings.PSEUDONYM_KEY:
        problems.append(
            Warning(
                "There is no pseudonym key: no personnummer can be imported.",
                hint=(
                    "Set SKOLKVALITET_PSEUDONYM_KEY in the environment from the secret store "
                    "(or run `skolkvalitet keys create` for the embedded default)."
                ),
                id="skolkvalitet.W004",
            )
        )
    if settings.PSEUDONYM_KEY_FROM_FILE:
        problems.append(
            Warning(
                "SKOLKVALITET_PSEUDONYM_KEY comes from a file next to the database.",
                hint=(
                    "Set it in the environment from the secret store and keep it apart from "
                    "database backups: with the key, a pseudonym can be tested against a "
                    "personnummer. Never change it once pupils are imported."
                ),
                id="skolkvalitet.W002",
            )
        )
    return problems


@register(Tags.database, deploy=True)
def production_database(app_configs, **kwargs):
    if connection.vendor == "sqlite":
        return [
            Warning(
                "The database is the embedded SQLite file.",
                hint="Set DATABASE_URL to PostgreSQL for production (docs/operations.md).",
                id="skolkvalitet.W003",
            )
        ]
    return []
