"""Publishing to the open web pages, by the organiser's management (APPROVE_ORGANISER_REPORT
on the organiser), each change audit-logged:

- `annual_report_publish`: a kvalitetsredovisning produced by a DocumentJob (so it passed the
  publication check) becomes public for its year, replacing an earlier one of the same year;
- `annual_report_unpublish`: it is taken down;
- `key_figures_show`: the units' key figures are shown on the public pages, or hidden.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skolkvalitet.organisation.audit import audit_record
from skolkvalitet.organisation.models import Node, NodeKind
from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import Scope
from skolkvalitet.quality.models import (
    DocumentJob,
    DocumentStatus,
    PublicKeyFigures,
    PublishedReport,
)


def public_dir() -> Path:
    directory = Path(settings.VAR_DIR) / "public"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def _require(scope: Scope, organiser: Node) -> None:
    if organiser.kind != NodeKind.ORGANISER or not scope.can(
        Capability.APPROVE_ORGANISER_REPORT, organiser
    ):
        raise PermissionDenied


@transaction.atomic
def annual_report_publish(*, job: DocumentJob, scope: Scope, by) -> PublishedReport:
    """Publish the kvalitetsredovisning of a finished job for its organiser and year."""
    _require(scope, job.node)
    if job.kind != "annual" or job.status != DocumentStatus.DONE or not job.stored_path:
        raise ValidationError(_("Only a finished kvalitetsredovisning can be published."))
    source = Path(job.stored_path)
    if not source.exists():
        raise ValidationError(_("The file is no longer there: produce the document again."))
    target = public_dir() / f"{uuid.uuid4().hex}.{job.format}"
    shutil.copyfile(source, target)
    os.chmod(target, 0o600)
    old = PublishedReport.objects.filter(organiser=job.node, academic_year=job.academic_year)
    old_paths = [Path(p) for p in old.values_list("stored_path", flat=True)]
    old.delete()
    published = PublishedReport.objects.create(
        organiser=job.node,
        academic_year=job.academic_year,
        format=job.format,
        file_name=job.file_name,
        stored_path=str(target),
        published_at=timezone.now(),
        published_by=by,
    )

    def remove_old() -> None:
        for path in old_paths:
            path.unlink(missing_ok=True)

    transaction.on_commit(remove_old)
    audit_record(
        user=by,
        action="annual_report_publish",
        node=job.node,
        detail={"job": job.pk, "year": job.academic_year.code},
    )
    return published


@transaction.atomic
def annual_report_unpublish(*, published: PublishedReport, scope: Scope, by) -> None:
    _require(scope, published.organiser)
    path = Path(published.stored_path)
    audit_record(
        user=by,
        action="annual_report_unpublish",
        node=published.organiser,
        detail={"year": published.academic_year.code},
    )
    published.delete()
    transaction.on_commit(lambda: path.unlink(missing_ok=True))


@transaction.atomic
def key_figures_show(*, organiser: Node, shown: bool, scope: Scope, by) -> PublicKeyFigures:
    _require(scope, organiser)
    setting, _created = PublicKeyFigures.objects.get_or_create(organiser=organiser)
    setting.shown = shown
    setting.updated_by = by
    setting.save(update_fields=["shown", "updated_by", "updated_at"])
    audit_record(user=by, action="public_key_figures", node=organiser, detail={"shown": shown})
    return setting
