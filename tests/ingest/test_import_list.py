"""The Import page's list of imports (ingest/views.py, ingest/import.html): each import's
kind by its name and the person who made it by their name, not the stored codes and login ids."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from skolkvalitet.batches.actions import batch_create
from skolkvalitet.ingest.views import batch_kind_name, user_name

pytestmark = pytest.mark.django_db


def listed(html: str) -> list[tuple[str, str, str]]:
    """(stored kind, shown kind, by) per row of the imports table."""
    return re.findall(
        r'<td data-kind="([^"]*)">([^<]*)</td>.*?<td class="by">([^<]*)</td>', html, re.S
    )


def test_the_import_list_names_kinds_and_people(client, users, make_user):
    eva = make_user("eva.lind", first_name="Eva", last_name="Lind")
    nameless = make_user("u12345")
    batch_create(kind="grades", source_name="betyg.csv", rows=3, created_by=eva)
    batch_create(kind="demo", source_name="Ekbacka kommun (demo)", rows=10)
    batch_create(kind="absence", source_name="franvaro.xlsx", rows=2, created_by=nameless)
    batch_create(kind="ss12000", source_name="https://sis.example/v2", rows=4, created_by=eva)
    batch_create(kind="something_new", source_name="x", rows=1)
    client.force_login(users.organiser_admin)
    html = client.get(reverse("import_page")).content.decode()
    rows = listed(html)
    assert sorted(rows) == sorted(
        [
            ("grades", "Betyg", "Eva Lind"),
            ("demo", batch_kind_name("demo"), "–"),  # built by the demo command, by no one
            ("absence", "Frånvaro", "u12345"),  # no name recorded: the login id
            ("ss12000", batch_kind_name("ss12000"), "Eva Lind"),
            ("something_new", "something_new", "–"),  # a kind the page does not know
        ]
    )
    assert ">grades<" not in html and ">demo<" not in html and ">eva.lind<" not in html


def test_every_kind_of_import_has_a_name():
    from skolkvalitet.ingest.files.kinds import FILE_KINDS
    from skolkvalitet.ingest.register import KIND as UNITS
    from skolkvalitet.reference.imports import KOLADA, NATION, SKOLVERKET

    for kind in (*FILE_KINDS, "ss12000", UNITS, SKOLVERKET, KOLADA, NATION, "demo"):
        assert batch_kind_name(kind) != kind, kind
    assert batch_kind_name("preschool") == "Förskolans barngrupper"
    assert user_name(None) == "–"
