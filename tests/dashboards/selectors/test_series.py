"""The unit and group pages' series (dashboards/selectors/series.py): n is shown beside a
figure shown as a number only, as in the downloads and the API (issue 15, finding 5)."""

from __future__ import annotations

import pytest
from tests.indicators.test_materialise import facts, materialised  # noqa: F401

from skolkvalitet.dashboards.selectors.periods import PeriodRef
from skolkvalitet.dashboards.selectors.series import section
from skolkvalitet.indicators.markers import HIDDEN, NEAR_FULL
from skolkvalitet.indicators.models import IndicatorValue

pytestmark = pytest.mark.django_db


def _one_value(materialised):  # noqa: F811
    stored = IndicatorValue.objects.filter(
        node=materialised.org.unit_n1, breakdown="", n__isnull=False
    ).first()
    assert stored is not None and stored.n
    return stored


@pytest.mark.parametrize("marker", ["", NEAR_FULL, HIDDEN])
def test_n_is_shown_beside_a_shown_figure_only_without_pupil_access(materialised, marker):  # noqa: F811
    stored = _one_value(materialised)
    IndicatorValue.objects.filter(pk=stored.pk).update(suppression=marker)
    period = PeriodRef(stored.period_kind, stored.period_id, "now")
    for access, expected in ((False, None if marker else stored.n), (True, stored.n)):
        data = section("s", stored.node, (stored.indicator,), [period], None, access, {})
        [(value, n)] = data.rows[0].values
        assert n == expected, (marker, access)
        assert value == (marker if marker and not access else stored.value)


def test_the_board_sees_no_n_beside_near_full_on_the_unit_page(materialised, users, client):  # noqa: F811
    from django.urls import reverse

    unit = materialised.org.unit_n1
    IndicatorValue.objects.filter(node=unit).update(suppression=NEAR_FULL)
    url = reverse("unit", args=[unit.pk])
    client.force_login(users.board)
    board = client.get(url).content.decode()
    n = '<span class="n">n='
    assert NEAR_FULL in board and n not in board
    client.force_login(users.organiser_admin)
    assert n in client.get(url).content.decode()  # pupil access: the real figures, with n
