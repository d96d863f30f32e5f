"""PostgreSQL connections probe their peer (TCP keepalives), so that an idle connection that
holds a job's turn (an advisory lock) is not dropped unseen by the network between."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.db import connection

KEEPALIVES = {"keepalives": 1, "keepalives_idle": 60, "keepalives_interval": 10}


def options_for(url: str) -> dict:
    code = (
        "import json; from skolkvalitet.config import settings as s; "
        "print(json.dumps(s.DATABASES['default'].get('OPTIONS', {}), default=str))"
    )
    env = {**os.environ, "DATABASE_URL": url}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_a_postgresql_database_gets_tcp_keepalives():
    options = options_for("postgres://postgres@127.0.0.1:5432/anything")
    assert KEEPALIVES.items() <= options.items()
    assert options["keepalives_count"] == 6


def test_sqlite_gets_none():
    assert "keepalives" not in options_for("sqlite:////tmp/x.sqlite3")


@pytest.mark.django_db
def test_the_connection_in_use_asks_for_them_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("keepalives are libpq's")
    connection.ensure_connection()
    dsn = connection.connection.info.dsn
    assert "keepalives=1" in dsn and "keepalives_idle=60" in dsn
