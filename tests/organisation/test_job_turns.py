"""The organiser's turn: while one connection holds an organiser's turn, another cannot take it
(and does not wait), it can take another organiser's, and it can take the first once released."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from skolkvalitet.organisation.job_turns import organiser_turn


def taken_elsewhere(organiser_id: int) -> bool:
    """Whether a thread with a connection of its own (as another worker) takes the turn."""
    outcome: list[bool] = []

    def take() -> None:
        try:
            with organiser_turn(organiser_id) as taken:
                outcome.append(taken)
        finally:
            connection.close()

    thread = threading.Thread(target=take)
    thread.start()
    thread.join(timeout=30)
    return outcome == [True]


@pytest.mark.django_db(transaction=True)
def test_one_organisers_turn_is_held_by_one_worker_at_a_time(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    with organiser_turn(41) as taken:
        assert taken
        assert not taken_elsewhere(41)
        assert taken_elsewhere(42)
    assert taken_elsewhere(41)
