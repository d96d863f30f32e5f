"""What the result pages' downloads hold and where their links lead (dashboards/views.py's
export functions), on the hand-computed facts of tests/indicators/test_materialise.py:

unit_n1 (Norrskolan), on track in MA: point 1 HT2024 Alva A, Bella F, Cesar E → 2 of 3 (66,7)
                                      point 1 VT2025 Alva B, Bella B        → 2 of 2 (100,0)
so at the latest point the change since the previous one is +33,3 percentage points.
"""

from __future__ import annotations

import io
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from tests.indicators.test_materialise import facts, materialised  # noqa: F401

from skolkvalitet.dashboards.actions import target_set
from skolkvalitet.indicators.registry import REGISTRY

MA = REGISTRY["on_track_MA"].name_sv  # "Bedöms uppfylla betygskriterierna, matematik"
ALL = REGISTRY["on_track_all_subjects"].name_sv

pytestmark = pytest.mark.django_db


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href and "format=" in href:
            self.hrefs.append(href)


def download_links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    return [line.split(";") for line in response.content.decode("utf-8-sig").splitlines()]


def saved_name(response) -> str:
    disposition = response["Content-Disposition"]
    if "filename*=" in disposition:  # RFC 6266, for names beyond ASCII
        return unquote(disposition.split("filename*=utf-8''")[1])
    return disposition.split('filename="')[1].rstrip('"')


def test_the_groups_downloads_work_from_inside_the_unit_page(materialised, users, client):  # noqa: F811
    """htmx puts the groups fragment into the unit page: its links must lead to the fragment's
    view, not to the unit page (which has no groups table: that was a 404)."""
    org = materialised.org
    client.force_login(users.unit_head)
    fragment_url = reverse("unit_groups", args=[org.unit_n1.pk])
    fragment = client.get(fragment_url, headers={"HX-Request": "true"}).content.decode()
    links = download_links(fragment)
    assert len(links) == 2
    unit_url = reverse("unit", args=[org.unit_n1.pk])
    for link in links:
        # Resolved against the unit page, where the browser shows the fragment.
        assert urlsplit(link).path == fragment_url
        assert client.get(link).status_code == 200
        assert client.get(unit_url + "?" + urlsplit(link).query).status_code == 404  # the old bug
    [csv_link] = [link for link in links if "format=csv" in link]
    rows = csv_rows(client.get(csv_link))
    assert rows[0][0] == "Grupp"
    assert [org.group_n1a.name, "100,0", "2", "100,0", "2"] in rows


def test_the_unit_pages_links_name_the_unit_page(materialised, users, client):  # noqa: F811
    org = materialised.org
    client.force_login(users.unit_head)
    url = reverse("unit", args=[org.unit_n1.pk])
    links = download_links(client.get(url, {"grupp": "gender"}).content.decode())
    assert links and all(urlsplit(link).path == url for link in links)
    assert all("grupp=gender" in link for link in links)  # the page's choice kept


def test_a_downloads_file_name_keeps_the_whole_academic_year(materialised, users, client):  # noqa: F811
    org = materialised.org
    client.force_login(users.unit_head)
    url = reverse("unit", args=[org.unit_n1.pk])
    csv = client.get(url, {"tabell": "distribution", "format": "csv"})
    assert saved_name(csv) == "Norrskolan-Betygsfördelning-slutbetyg-2024-25.csv"
    xlsx = client.get(url, {"tabell": "distribution", "format": "xlsx"})
    assert saved_name(xlsx) == "Norrskolan-Betygsfördelning-slutbetyg-2024-25.xlsx"
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    # "Betygsfördelning, slutbetyg 2024/25" is 35 characters; Excel allows 31.
    assert sheet.title == "Betygsfördelning, slut… 2024-25"
    assert sheet["A1"].value == "Betygsfördelning, slutbetyg 2024/25"


def test_the_overview_download_carries_its_period_changes_and_targets(
    materialised,  # noqa: F811
    users,
    client,
):
    org = materialised.org
    target_set(node=org.unit_n1, indicator="on_track_MA", value=80)
    client.force_login(users.organiser_admin)
    response = client.get(reverse("overview"), {"format": "csv"})
    assert saved_name(response) == "resultatuppfoljning-Uppföljning-1-VT2025.csv"
    rows = csv_rows(response)
    header = rows[0]
    norrskolan = dict(zip(header, next(r for r in rows if r[2] == "Norrskolan"), strict=True))
    assert norrskolan["Period"] == "Uppföljning 1 VT2025"
    assert norrskolan["Elever som jämförs"] == "Alla elever"
    ma = MA
    assert norrskolan[ma] == "100,0"
    assert norrskolan[f"{ma}, n"] == "2"
    # 100,0 − 66,7 (2 of 3 at the previous point) = +33,3 percentage points.
    [change] = [h for h in header if h.startswith(ma) and "Uppföljning 1 HT2024" in h]
    assert norrskolan[change] == "33,3"
    [target] = [h for h in header if h.startswith(ma) and h not in (ma, f"{ma}, n", change)]
    assert norrskolan[target] == "80,0"
    # An indicator without a target anywhere gets no target column.
    sv = REGISTRY["on_track_SV"].name_sv
    assert [h for h in header if h.startswith(sv)] == [
        sv,
        f"{sv}, n",
        f"{sv}, " + change[len(ma) + 2 :],
    ]


def test_the_year_overview_download_names_its_year(materialised, users, client):  # noqa: F811
    org = materialised.org
    client.force_login(users.organiser_admin)
    response = client.get(reverse("overview"), {"lasar": org.year.pk, "format": "xlsx"})
    assert saved_name(response) == f"resultatuppfoljning-{org.year.code.replace('/', '-')}.xlsx"
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title.startswith(org.year.code.replace("/", "-"))
    assert sheet["A3"].value == "Period"
    assert {sheet.cell(row=r, column=1).value for r in range(4, sheet.max_row + 1)} - {None} == {
        org.year.code
    }


def test_the_series_downloads_carry_the_target(materialised, users, client):  # noqa: F811
    org = materialised.org
    target_set(node=org.unit_n1, indicator="on_track_MA", value=80)
    client.force_login(users.organiser_admin)
    url = reverse("unit", args=[org.unit_n1.pk])
    rows = csv_rows(client.get(url, {"tabell": "points", "format": "csv"}))
    assert rows[0] == [
        "Indikator",
        "Elever",
        "Uppföljning 1 HT2024",
        "Uppföljning 1 HT2024, n",
        "Uppföljning 1 VT2025",
        "Uppföljning 1 VT2025, n",
        "Målvärde",
    ]
    assert [MA, "Alla elever", "66,7", "3", "100,0", "2", "80,0"] in rows
    assert [ALL, "Alla elever", "66,7", "3", "100,0", "2", ""] in rows
