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
        "name": "Når / riskerar att inte nå kunskapskraven",
        "values": [
            {"value": "reaches", "label": "Når kunskapskraven", "on_track": True},
            {"value": "at_risk", "label": "Riskerar att inte nå kunskapskraven", "on_track": False},
        ],
    },
)
