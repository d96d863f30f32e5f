"""The group page's selector (dashboards/selectors/group.py), on the hand-computed facts of
tests/indicators/test_materialise.py."""

from __future__ import annotations

import pytest
from tests.indicators.test_materialise import facts, materialised  # noqa: F401

from skolkvalitet.dashboards.selectors.group import group_page
from skolkvalitet.organisation.scopes import scope_for

pytestmark = pytest.mark.django_db


def test_the_group_page_shows_the_groups_own_figures(materialised, users):  # noqa: F811
    org = materialised.org
    data = group_page(scope_for(users.teacher), org.group_n1a)
    [points] = [s for s in data.sections if s.key == "points"]
    ma = next(r for r in points.rows if r.indicator.key == "on_track_MA")
    # 7A: Alva A, Bella F, Cesar E at point 1 (2 of 3); Alva B, Bella B at point 2.
    assert ma.values[0] == (pytest.approx(200 / 3), 3)
    assert ma.values[1] == (100.0, 2)
    assert data.pupil_access
