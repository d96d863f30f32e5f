"""Recomputations of indicators after imports take turns: while one holds its turn, no other
process gets one."""

from __future__ import annotations

import fcntl
import os

import pytest
from django.db import connection

from skolkvalitet.indicators.turns import MATERIALISE_LOCK, materialisation_turn, turn_lock_path

pytestmark = pytest.mark.django_db


def someone_else_gets_a_turn() -> bool:
    """Whether another process could take the turn now (without waiting for it)."""
    if connection.vendor == "postgresql":
        import psycopg

        params = connection.get_connection_params()
        with psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"}) as other:
            taken = other.execute("SELECT pg_try_advisory_lock(%s)", [MATERIALISE_LOCK])
            got = taken.fetchone()[0]
            if got:
                other.execute("SELECT pg_advisory_unlock(%s)", [MATERIALISE_LOCK])
            return got
    descriptor = os.open(turn_lock_path(), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)
    return True


def test_a_recomputation_holds_its_turn_until_it_ends():
    assert someone_else_gets_a_turn()
    with materialisation_turn():
        assert not someone_else_gets_a_turn()
    assert someone_else_gets_a_turn()


def test_the_turn_is_given_back_when_the_recomputation_fails():
    with pytest.raises(RuntimeError), materialisation_turn():
        raise RuntimeError("the recomputation failed")
    assert someone_else_gets_a_turn()


def test_the_turn_belongs_to_the_database_in_use():
    """Processes on another database (another test worker's) do not take this database's turn."""
    if connection.vendor == "postgresql":
        pytest.skip("advisory locks hold within one database by PostgreSQL's own rule")
    assert str(turn_lock_path()) == f"{connection.settings_dict['NAME']}.materialise.lock"


def test_the_indicators_command_recomputes_in_its_turn(monkeypatch):
    """`skolkvalitet indicators --materialise` waits for the recomputations after imports and
    rollbacks, as they wait for it."""
    from django.core.management import call_command

    from skolkvalitet.indicators.management.commands import indicators as command

    real = command.indicators_materialise
    turn_free_while_computing: list[bool] = []

    def materialise(**kwargs):
        turn_free_while_computing.append(someone_else_gets_a_turn())
        return real(**kwargs)

    monkeypatch.setattr(command, "indicators_materialise", materialise)
    call_command("indicators", "--materialise")
    assert turn_free_while_computing == [False]
    assert someone_else_gets_a_turn()
