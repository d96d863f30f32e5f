"""Shared fixtures: a small organiser and one named user per role.

The tree (every node built through actions.node_create)::

    organiser  Exempelstads kommun
    ├── area_north  Norr
    │   ├── unit_n1  Norrskolan        group_n1a 7A, group_n1b 7B
    │   └── unit_n2  Björkskolan       group_n2a 8A, group_n2b 8B
    └── area_south  Söder
        ├── unit_s1  Söderskolan       group_s1a 7A, group_s1b 7B
        └── unit_s2  Ekskolan          group_s2a 9A, group_s2b 9B

Pupils enrolled in `year` (2024/25), named so expected sets read as names:

    group_n1a  Alva (F), Bella (F), Cesar (M)
    group_n1b  David (M)
    unit_n1    Elsa (F)              enrolled at the unit, in no group
    group_n2a  Frida (F), Gustav (M)
    group_s1a  Hanna (F), Ida (F)
    group_s2b  Josef (M)

Users, one per role (`users.<role>`), granted on a representative node:

    organiser_admin  agnes     on organiser
    analyst          anders    on organiser
    board            birgitta  on organiser
    unit_head        rut       on unit_n1
    teacher          lars      on group_n1a
    coach            maja      on area_south, until 90 days from today
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import hypothesis
import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from skolkvalitet.organisation import actions
from skolkvalitet.organisation.identity import make_personal_number, parse_personal_number
from skolkvalitet.organisation.models import (
    AcademicYear,
    Enrolment,
    Node,
    NodeKind,
    Role,
    SchoolForm,
)


@pytest.hookimpl(optionalhook=True)  # known only while pytest-xdist is loaded
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` (pyproject's addopts) runs the suite on one worker per CPU, but a run of
    single files or tests stays in one process: starting workers (each builds its own test
    database) costs more than it saves there. PYTEST_XDIST_AUTO_NUM_WORKERS, or `-n N`,
    decides otherwise."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist reads it
    named = [arg for arg in config.args if not arg.startswith("-")]
    chosen = config.args_source == pytest.Config.ArgsSource.ARGS and named
    if chosen and all("::" in arg or not Path(arg).is_dir() for arg in named):
        return 0
    return None  # xdist's default: one worker per CPU


# No Hypothesis deadline: a parallel run shares the CPUs, and an example that takes longer
# than the default 200 ms there is no failure of the code under test.
hypothesis.settings.register_profile("suite", deadline=None)
hypothesis.settings.load_profile("suite")


def pytest_sessionstart(session):
    # The SQLite test database is a file in the var directory (settings.py), and WhiteNoise
    # looks for STATIC_ROOT in it; a fresh checkout has neither: the settings create nothing.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


def pytest_sessionfinish(session, exitstatus):
    # The turns' lock files beside this process's SQLite test database (turns.py,
    # job_turns.py): empty files that would otherwise pile up in var/ run after run.
    for lock in Path(settings.VAR_DIR).glob(f"test_skolkvalitet_{os.getpid()}.sqlite3*.lock"):
        lock.unlink(missing_ok=True)


NODE_NAMES = (
    "organiser",
    "area_north",
    "unit_n1",
    "group_n1a",
    "group_n1b",
    "unit_n2",
    "group_n2a",
    "group_n2b",
    "area_south",
    "unit_s1",
    "group_s1a",
    "group_s1b",
    "unit_s2",
    "group_s2a",
    "group_s2b",
)

# (given name, birth date, three-digit serial: odd for boys, even for girls, node)
PUPILS = (
    ("Alva", dt.date(2011, 3, 14), 242, "group_n1a"),
    ("Bella", dt.date(2011, 7, 2), 384, "group_n1a"),
    ("Cesar", dt.date(2011, 11, 30), 157, "group_n1a"),
    ("David", dt.date(2011, 1, 9), 311, "group_n1b"),
    ("Elsa", dt.date(2011, 5, 21), 428, "unit_n1"),
    ("Frida", dt.date(2010, 2, 28), 266, "group_n2a"),
    ("Gustav", dt.date(2010, 8, 8), 473, "group_n2a"),
    ("Hanna", dt.date(2011, 9, 17), 120, "group_s1a"),
    ("Ida", dt.date(2011, 12, 24), 582, "group_s1a"),
    ("Josef", dt.date(2009, 4, 1), 639, "group_s2b"),
)

# The node each user's role is granted on.
GRANTED_ON = {
    Role.ORGANISER_ADMIN: "organiser",
    Role.ANALYST: "organiser",
    Role.BOARD: "organiser",
    Role.UNIT_HEAD: "unit_n1",
    Role.TEACHER: "group_n1a",
    Role.COACH: "area_south",
}

USERNAMES = {
    Role.ORGANISER_ADMIN: "agnes",
    Role.ANALYST: "anders",
    Role.BOARD: "birgitta",
    Role.UNIT_HEAD: "rut",
    Role.TEACHER: "lars",
    Role.COACH: "maja",
}


@pytest.fixture
def year(db) -> AcademicYear:
    return AcademicYear.objects.create(
        code="2024/25", start_date=dt.date(2024, 8, 19), end_date=dt.date(2025, 6, 13)
    )


@pytest.fixture
def org(db, year) -> SimpleNamespace:
    """The tree above with its pupils; `org.pupils` maps given name → Pupil,
    `org.enrolments` given name → Enrolment, `org.nodes` attribute name → Node."""
    ns = SimpleNamespace(year=year)
    ns.organiser = actions.node_create(
        kind=NodeKind.ORGANISER, name="Exempelstads kommun", code="2120000001"
    )
    ns.area_north = actions.node_create(kind=NodeKind.AREA, name="Norr", parent=ns.organiser)
    ns.area_south = actions.node_create(kind=NodeKind.AREA, name="Söder", parent=ns.organiser)
    units = {
        "unit_n1": ("Norrskolan", ns.area_north, "10000001", ("7A", "7B"), 7),
        "unit_n2": ("Björkskolan", ns.area_north, "10000002", ("8A", "8B"), 8),
        "unit_s1": ("Söderskolan", ns.area_south, "20000001", ("7A", "7B"), 7),
        "unit_s2": ("Ekskolan", ns.area_south, "20000002", ("9A", "9B"), 9),
    }
    for attr, (name, area, code, groups, year_group) in units.items():
        unit = actions.node_create(
            kind=NodeKind.UNIT,
            name=name,
            parent=area,
            code=code,
            school_forms=[SchoolForm.GR],
            year_groups=[7, 8, 9],
        )
        setattr(ns, attr, unit)
        for suffix, group_code in zip("ab", groups, strict=True):
            group = actions.node_create(
                kind=NodeKind.GROUP,
                name=f"{name} {group_code}",
                parent=unit,
                code=group_code,
                academic_year=year,
                school_form=SchoolForm.GR,
                year_group=year_group,
            )
            setattr(ns, f"group_{attr[5:]}{suffix}", group)
    ns.nodes = {name: getattr(ns, name) for name in NODE_NAMES}

    ns.pupils, ns.enrolments = {}, {}
    for given_name, birth_date, serial, node_attr in PUPILS:
        number = parse_personal_number(make_personal_number(birth_date, serial))
        pupil, _created = actions.pupil_get_or_create(number=number, given_name=given_name)
        node = ns.nodes[node_attr]
        is_group = node.kind == NodeKind.GROUP
        ns.pupils[given_name] = pupil
        ns.enrolments[given_name] = Enrolment.objects.create(
            pupil=pupil,
            academic_year=year,
            unit=node.parent if is_group else node,
            group=node if is_group else None,
            school_form=SchoolForm.GR,
            year_group=node.year_group if is_group else 7,
        )
    return ns


@pytest.fixture
def make_user(db):
    """make_user("name", is_active=True) → a saved user without roles."""

    def make(username: str, **fields):
        return get_user_model().objects.create_user(username=username, password=None, **fields)

    return make


@pytest.fixture
def users(org, make_user) -> SimpleNamespace:
    """One user per role, attribute named after the role (users.unit_head)."""
    ns = SimpleNamespace()
    coach_until = timezone.localdate() + dt.timedelta(days=90)
    for role, username in USERNAMES.items():
        user = make_user(username)
        actions.role_grant(
            user=user,
            node=org.nodes[GRANTED_ON[role]],
            role=role,
            valid_until=coach_until if role == Role.COACH else None,
        )
        setattr(ns, role.value, user)
    return ns


@pytest.fixture
def client_for(users):
    """client_for("unit_head") → a test client logged in as that role's user."""

    def login(role: str) -> Client:
        client = Client()
        client.force_login(getattr(users, role))
        return client

    return login


# What a data migration writes, which a flush empties: (module, function(apps, schema_editor)).
MIGRATION_SEEDS = (("skolkvalitet.results.migrations.0002_seed_subjects_and_scales", "seed"),)
FLUSHING_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences"}


def _flushed_after(item: pytest.Item) -> bool:
    """Whether pytest-django runs this test as a TransactionTestCase (flushed afterwards)."""
    from pytest_django.fixtures import validate_django_db

    marker = item.get_closest_marker("django_db")
    if marker:
        transaction_, reset_sequences, *_rest = validate_django_db(marker)
        if transaction_ or reset_sequences:
            return True
    return bool(FLUSHING_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_configure(config: pytest.Config) -> None:
    """Each pytest-xdist worker keeps its cached pages in a directory of its own: the workers
    share SKOLKVALITET_VAR_DIR, and one worker's clearing of the page cache before each test
    (empty_cache) must not empty another's in the middle of its test."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    pages = settings.CACHES.get("pages", {})
    if worker and str(pages.get("BACKEND", "")).endswith("FileBasedCache"):
        pages["LOCATION"] = f"{pages['LOCATION']}-{worker}"


# Tests that replace the whole SQLite test database file (operations/restore.py through
# SQLite's backup API) need every other connection to it closed; the session's live server
# (browser tests) keeps connections open in its threads once started. They run first.
RUN_FIRST = (
    "tests/operations/test_backup.py",
    "tests/dashboards/test_page_cache.py::test_a_restore_makes_every_cached_page_old",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    first = [item for item in items if item.nodeid.startswith(RUN_FIRST)]
    if first:
        rest = [item for item in items if not item.nodeid.startswith(RUN_FIRST)]
        items[:] = first + rest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """A transactional test (live_server, transaction=True) ends with a flush, which also
    empties what the data migrations seeded (the subjects and the assessment scales). Alone,
    pytest-django runs such tests last; in parallel, a worker runs other modules after them.
    So, once the test's fixtures are torn down, the seeds are written again as the
    migrations write them."""
    result = yield
    if _flushed_after(item):
        from django.db import connection
        from pytest_django.plugin import blocking_manager_key

        if Path(connection.settings_dict["NAME"]).name.startswith("test_"):  # never the real one
            with item.config.stash[blocking_manager_key].unblock():
                for module, function in MIGRATION_SEEDS:
                    getattr(importlib.import_module(module), function)(django_apps, None)
    return result


FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2's deliberate slowness only slows the suite down."""
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def empty_cache(settings):
    """Each test starts with empty caches: the API's rate limits count in the default one
    (api/throttling.py), and one test's requests must not use up another's; the page cache
    (dashboards/page_cache.py) must not serve a page of another test's data. Pages are not
    warmed after a materialisation unless a test asks (tests/dashboards/test_page_cache.py)."""
    from django.core.cache import caches

    for alias in settings.CACHES:
        caches[alias].clear()
    settings.SKOLKVALITET_PAGE_CACHE_WARM_SECONDS = 0


@pytest.fixture(scope="module")
def demo(request, django_db_setup, django_db_blocker) -> Iterator[SimpleNamespace]:
    """The demo organiser, built ONCE for the module that asks for it, the way a user builds
    it: `skolkvalitet demo --no-serve`, at the module's `DEMO_SCALE` (a small copy).

    `demo.result` is what demo_build returned, `demo.output` what the command printed,
    `demo.scale` the scale. The build runs inside a transaction that stays open while the
    module's tests run and is rolled back after its last one, so nothing outlives the module.
    A test that reads the demo also asks for `db`: its own transaction is then a savepoint
    inside the build's, and whatever the test writes is rolled back after it, leaving the
    demo as built for the next test. (A test that needs an empty database uses `db` alone,
    in another module.) In a parallel run, a worker that runs any of the module's tests
    builds it once for them.
    """
    import skolkvalitet.demo.management.commands.demo as command
    from skolkvalitet.demo.builder import demo_build

    scale: float = request.module.DEMO_SCALE
    results = []

    def build(**options):
        results.append(demo_build(**{**options, "scale": scale}))
        return results[-1]

    output = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        with (
            pytest.MonkeyPatch.context() as patch,
            override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS),
        ):
            patch.setattr(command, "demo_build", build)
            call_command("demo", "--no-serve", stdout=output)
        (result,) = results
        yield SimpleNamespace(result=result, output=output.getvalue(), scale=scale)
        transaction.set_rollback(True)
    with django_db_blocker.unblock():  # rolled back: the next module starts empty
        assert not Node.objects.exists()
