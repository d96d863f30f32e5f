"""The assessment scales shipped with the system; organisers may add their own."""

from __future__ import annotations

ASSESSMENT_SCALES: tuple[dict, ...] = (
    {
        "code": "forecast_af",
        "name": "Prognos A–F",
        "values": [
            {"value": g, "label": g, "on_track": g != "F"} for g in ("A", "B", "C", "D", "E", "F")
        ],
    },
    {
        "code": "on_track",
        # Lgr22 speaks of betygskriterier, not kunskapskrav: the lowest pass is the grade E.
        "name": "Når lägst E / riskerar att inte nå lägst E",
        "values": [
            {"value": "reaches", "label": "Når lägst E", "on_track": True},
            {"value": "at_risk", "label": "Riskerar att inte nå lägst E", "on_track": False},
        ],
    },
)
