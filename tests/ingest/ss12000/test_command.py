"""`skolkvalitet sync ss12000 --url URL [--token TOKEN] [--full]`: a short summary on success,
the failure and a non-zero exit status otherwise. The data set is dated around today, as the
command syncs the current academic year."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from tests.ingest.ss12000.data import TOKEN, DataSet, grade_name, make_data_set, uid

from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.cli import main
from skolkvalitet.organisation.models import Pupil
from skolkvalitet.results.models import Grade

pytestmark = pytest.mark.django_db


@pytest.fixture
def data() -> DataSet:
    return make_data_set(timezone.localdate())


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("sync", "ss12000", *args, stdout=out)
    return out.getvalue()


def test_the_command_syncs_and_summarises_what_it_wrote(server):
    output = run("--url", server.url, "--token", TOKEN)

    batch = ImportBatch.objects.get(kind="ss12000")
    lines = output.splitlines()
    assert lines[0] == f"{server.url}: synced as import {batch.pk}."
    assert "  Created: organisers 1, school units 2, groups 4, pupils 10, enrolments 10, " in (
        output
    )
    assert any(line.startswith("  Grades: 28 written") for line in lines)
    assert Pupil.objects.count() == 10


def test_the_token_may_come_from_the_environment(server, monkeypatch):
    monkeypatch.setenv("SS12000_TOKEN", TOKEN)

    run("--url", server.url)

    assert Grade.objects.count() == 28


def test_a_second_run_without_changes_says_so(server):
    run("--url", server.url, "--token", TOKEN)

    output = run("--url", server.url, "--token", TOKEN)

    assert output.splitlines()[0] == f"{server.url}: no changes; nothing written."
    assert ImportBatch.objects.count() == 1


def test_full_reads_everything_again(server):
    run("--url", server.url, "--token", TOKEN)

    run("--url", server.url, "--token", TOKEN, "--full")

    assert "meta.modified.after" not in server.requests_to("persons")[-1]


def test_a_refused_token_fails_with_the_reason(server):
    with pytest.raises(CommandError) as error:
        run("--url", server.url, "--token", "expired")

    assert "did not accept the token (HTTP 401)" in str(error.value)
    assert str(error.value).endswith("Nothing was synced; the database is unchanged.")
    assert not ImportBatch.objects.exists()


def test_a_failure_exits_with_a_non_zero_status(server, capsys):
    server.fail["persons"] = (500, {"code": "internal", "message": "Register offline"})

    with pytest.raises(SystemExit) as exit:
        main(["sync", "ss12000", "--url", server.url, "--token", TOKEN])

    assert exit.value.code == 1
    assert "HTTP 500. The server said: Register offline (internal)" in capsys.readouterr().err


def test_problems_in_the_data_are_listed_one_per_line(server, data):
    grade_id = uid(grade_name("Ida", "MA", "HT", data.year))
    server.modify("grades", grade_id, gradeValue="G")
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"not synced \(1 problems\)"):
        call_command("sync", "ss12000", "--url", server.url, "--token", TOKEN, stderr=err)

    assert err.getvalue().strip() == (
        f"grades/{grade_id}: The grade value G is not one of A, B, C, D, E, F or -."
    )
