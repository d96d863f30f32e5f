"""GET /reports and /reports/{id}: the quality reports, read-only, as the token's user may
read them — the board only once handed in, every figure suppressed for the board as on the
pages (n beside a shown value only)."""

from __future__ import annotations

import pytest

from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.reports.actions import report_start, report_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(materialised, users):
    return report_start(
        node=materialised.unit_n1,
        year=materialised.year,
        school_form="grundskola",
        scope=scope_for(users.unit_head),
        by=users.unit_head,
    )


def knowledge(data: dict) -> dict[str, dict]:
    [section] = [s for s in data["sections"] if s["key"] == "kunskaper"]
    return {f["indicator"]: f for f in section["figures"]}


def test_the_board_sees_no_draft(report, users, api_client) -> None:
    board = api_client(users.board)
    assert board.get("/api/v1/reports").json()["count"] == 0
    assert board.get(f"/api/v1/reports/{report.pk}").status_code == 404
    head = api_client(users.unit_head).get("/api/v1/reports").json()
    assert [(i["id"], i["status"]) for i in head["items"]] == [(report.pk, "draft")]


def test_a_submitted_report_reads_with_the_readers_suppression(report, users, api_client):
    report_submit(report=report, scope=scope_for(users.unit_head), by=users.unit_head)
    board = api_client(users.board).get(f"/api/v1/reports/{report.pk}").json()
    head = api_client(users.unit_head).get(f"/api/v1/reports/{report.pk}").json()
    assert board["status"] == head["status"] == "submitted"
    assert board["figures_frozen"] and not board["newer_data"]
    # Fewer than ten pupils at Norrskolan: the board sees the marker, the head the figure.
    board_merit, head_merit = knowledge(board)["merit_value_17"], knowledge(head)["merit_value_17"]
    assert (board_merit["value"], board_merit["n"], board_merit["suppressed"]) == (None, None, True)
    assert board_merit["marker"] == ".."
    stored = IndicatorValue.objects.get(
        node=report.node, indicator="merit_value_17", period_kind="year", breakdown=""
    )
    assert (head_merit["value"], head_merit["n"]) == (stored.value, stored.n)
    assert stored.n < 10 and not head_merit["suppressed"]


def test_a_teacher_reads_no_report(report, users, api_client) -> None:
    report_submit(report=report, scope=scope_for(users.unit_head), by=users.unit_head)
    teacher = api_client(users.teacher)
    assert teacher.get("/api/v1/reports").json()["count"] == 0
    assert teacher.get(f"/api/v1/reports/{report.pk}").status_code == 404
