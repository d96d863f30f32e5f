"""The quality cycle's models: interventions and the resultatdialog (dialogues.py), the
common model's versioned templates and each unit's quality report (reports.py)."""

from skolkvalitet.quality.models.dialogues import (
    EDITABLE_STATUSES,
    HANDED_IN_STATUSES,
    CommentKind,
    DialogueComment,
    DialogueStatus,
    FollowUpDialogue,
    Intervention,
)
from skolkvalitet.quality.models.reports import (
    QualityReport,
    ReportComment,
    ReportFigure,
    ReportSection,
    ReportSectionRevision,
    ReportStatus,
    ReportTemplate,
)

__all__ = [
    "EDITABLE_STATUSES",
    "HANDED_IN_STATUSES",
    "CommentKind",
    "DialogueComment",
    "DialogueStatus",
    "FollowUpDialogue",
    "Intervention",
    "QualityReport",
    "ReportComment",
    "ReportFigure",
    "ReportSection",
    "ReportSectionRevision",
    "ReportStatus",
    "ReportTemplate",
]
