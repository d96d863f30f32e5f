"""What the ingest jobs run in their process of their own (organisation/job_child.py starts
it from the worker with multiprocessing's "spawn" and limits its memory, SKOLKVALITET_IMPORT_
MEMORY_LIMIT_MB, before Django, Polars or anything else is imported; so a file that needs more
ends the import, never the worker): an import from the web UI (`import_child_run`, started by
ingest/jobs.py import_job_process) and the recomputation after a rollback
(`rollback_recompute_child`, started by ingest/tasks.py rollback_recompute_task).

This module imports nothing but the standard library at the top (job_child_main is made of
it alone): the functions import what they need once the child has set Django up.
"""

from __future__ import annotations

from skolkvalitet.organisation.job_child_main import memory_limit_set

__all__ = ["import_child_run", "memory_limit_set", "rollback_recompute_child"]

IMPORT_CHILD = "skolkvalitet.ingest.child.import_child_run"
ROLLBACK_CHILD = "skolkvalitet.ingest.child.rollback_recompute_child"


def import_child_run(job_id: int, unit_paths: list[str] | None, retry: bool = False) -> None:
    """Import job `job_id` (ingest.jobs.import_job_run; `retry`: a transient failure leaves
    the job queued for another try)."""
    from skolkvalitet.ingest.jobs import import_job_run
    from skolkvalitet.ingest.models import ImportJob

    import_job_run(ImportJob.objects.get(pk=job_id), unit_paths=unit_paths, retry=retry)


def rollback_recompute_child(
    years: list[int], points: list[int], organisers: list[int] | None
) -> None:
    """Recompute the indicators of `years` and `points` of `organisers` (None: every
    organiser) after a rollback; the worker holds the turns meanwhile."""
    from skolkvalitet.indicators.materialise import indicators_materialise

    indicators_materialise(years=years, points=points, organisers=organisers)
