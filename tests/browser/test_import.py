"""An organiser admin imports a grades file in the browser and reads the outcome."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.job_worker import worker_process

from skolkvalitet.organisation.identity import make_personal_number
from skolkvalitet.results.models import Grade

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "ett-långt-demolösenord"
NEW_PUPIL = make_personal_number(dt.date(2010, 4, 2), 246)
HEADER = "personnummer;skolenhetskod;läsår;termin;årskurs;ämne;betyg;betygstyp\n"


@pytest.fixture
def admin(users, settings, tmp_path):
    # The live server's test database lives in this process: run the import in the request.
    settings.SKOLKVALITET_IMPORT_IN_BACKGROUND = False
    settings.VAR_DIR = tmp_path
    users.organiser_admin.set_password(PASSWORD)
    users.organiser_admin.save()
    return users.organiser_admin


def upload(page, live_server, name: str, text: str) -> None:
    page.goto(f"{live_server.url}/import/")
    page.get_by_label("Sorts fil").select_option(label="Betyg")
    page.get_by_label("Fil (CSV eller XLSX)").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}
    )
    page.get_by_role("button", name="Importera", exact=True).click()
    page.wait_for_url(f"{live_server.url}/import/jobb/**")


def test_a_grades_file_is_imported_from_the_browser(page, live_server, admin, screenshot):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Användarnamn").fill(admin.username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.get_by_role("link", name="Importera").click()
    screenshot("import-page")

    upload(
        page,
        live_server,
        "betyg-vt25.csv",
        HEADER + f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;C;slutbetyg\n",
    )
    # The import runs as a background job that the page polls: wait for its outcome.
    page.get_by_text("Filen importerades.").wait_for()
    assert Grade.objects.count() == 1
    screenshot("import-done")

    upload(
        page,
        live_server,
        "betyg-fel.csv",
        HEADER + f"{NEW_PUPIL};99999999;2024/25;VT;9;MA;G;slutbetyg\n",
    )
    problems = page.locator("ol.problems li")
    problems.first.wait_for()
    assert problems.count() == 2
    texts = {problems.nth(i).inner_text().split(": ")[0] for i in range(2)}
    assert texts == {"betyg-fel.csv:2:skolenhetskod", "betyg-fel.csv:2:betyg"}
    screenshot("import-rejected")


def big_grades_file(rows: int) -> str:
    start = dt.date(2009, 1, 1)
    lines = [HEADER]
    for n in range(rows):
        number = make_personal_number(start + dt.timedelta(days=n % 3000), n // 3000 % 1000)
        lines.append(f"{number};20000002;2024/25;VT;9;MA;C;slutbetyg\n")
    return "".join(lines)


def test_uploads_run_in_a_process_of_their_own_and_one_over_the_memory_limit_fails_clearly(
    page, live_server, admin, settings, screenshot
):
    settings.SKOLKVALITET_IMPORT_IN_BACKGROUND = True  # the test database is a shared file
    settings.SKOLKVALITET_IMPORT_MEMORY_LIMIT_MB = 300
    with worker_process():  # the worker as the demo starts it: a process of its own
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Användarnamn").fill(admin.username)
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()

        upload(
            page,
            live_server,
            "betyg.csv",
            HEADER + f"{NEW_PUPIL};20000002;2024/25;VT;9;MA;C;slutbetyg\n",
        )
        page.get_by_text("Filen importerades.").wait_for(timeout=60_000)
        assert Grade.objects.count() == 1

        # 300 000 pupils need more than 300 MB: the import process is killed, the page says so.
        upload(page, live_server, "betyg-stor.csv", big_grades_file(300_000))
        page.get_by_text("Importen blev inte klar:").wait_for(timeout=120_000)
        assert page.locator("ol.problems li").inner_text() == (
            "Importen behövde mer minne än en import får använda; ingenting sparades. Importera "
            "filen i delar, eller be driftansvarig höja gränsen."
        )
        assert Grade.objects.count() == 1
        screenshot("import-out-of-memory")
