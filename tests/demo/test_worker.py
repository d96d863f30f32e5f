"""The demo's worker (demo.worker_start): `skolkvalitet db_worker` in a process of its own runs
the jobs queued by the web process on the same database, and worker_stop ends it."""

from __future__ import annotations

import time

import pytest
from tests.job_worker import worker_process

from skolkvalitet.quality.documents.actions import document_job_create, document_job_start
from skolkvalitet.quality.models import DocumentJob


@pytest.mark.django_db(transaction=True)
def test_the_demos_worker_process_runs_a_queued_job_and_stops(org, settings, tmp_path):
    settings.SKOLKVALITET_DOCUMENTS_IN_BACKGROUND = True
    settings.VAR_DIR = tmp_path
    # A unit's report for a unit without one: the job fails at once, which shows it ran.
    job = document_job_create(kind="unit", fmt="pdf", node=org.unit_n1, year=org.year, user=None)
    document_job_start(job)
    assert DocumentJob.objects.get(pk=job.pk).status == "queued"
    with worker_process() as worker:
        deadline = time.monotonic() + 60
        # Queued, then running (in the job's own process), then failed.
        while job.status in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.2)
            job.refresh_from_db()
        assert worker.poll() is None  # still waiting for jobs
    assert job.status == "failed"
    assert job.problems == ["Dokumentet kunde inte tas fram. Försök igen eller kontakta driften."]
    assert worker.returncode is not None
