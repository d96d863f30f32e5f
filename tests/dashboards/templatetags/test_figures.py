"""How the result pages write figures (dashboards/templatetags/figures.py)."""

from __future__ import annotations

from tests.indicators.test_materialise import facts, materialised  # noqa: F401


def test_figures_are_rounded_to_one_decimal_with_a_decimal_comma():
    from django.utils import translation

    from skolkvalitet.dashboards.templatetags.figures import change, figure

    with translation.override("sv"):
        assert figure(200 / 3) == "66,7"
        assert figure("..").startswith('<abbr class="marker"')
        assert "+33,3" in change(100 - 200 / 3) and "−0,2" in change(-0.16)
