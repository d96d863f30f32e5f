"""The quality cycle's models: interventions and the resultatdialog (dialogues.py), the
common model's versioned templates and each unit's quality report (reports.py), the
nulägesanalys and utvecklingsplan and the report deadlines (plans.py), the practices units
share with the organiser (practices.py)."""

from skolkvalitet.quality.models.dialogues import (
    EDITABLE_STATUSES,
    HANDED_IN_STATUSES,
    CommentKind,
    DialogueComment,
    DialogueStatus,
    FollowUpDialogue,
    Intervention,
)
from skolkvalitet.quality.models.documents import (
    DOCUMENT_FINISHED,
    DocumentJob,
    DocumentStatus,
)
from skolkvalitet.quality.models.plans import (
    ACTION_FINISHED,
    ActionStatus,
    DevelopmentGoal,
    Evidence,
    EvidenceKind,
    GoalEvaluation,
    GoalKind,
    PlanAction,
    ProblemArea,
    ProgressNote,
    ReportDeadline,
    Verdict,
)
from skolkvalitet.quality.models.practices import PracticeStatus, SharedPractice
from skolkvalitet.quality.models.publication import PublicKeyFigures, PublishedReport
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
    "ACTION_FINISHED",
    "DOCUMENT_FINISHED",
    "EDITABLE_STATUSES",
    "HANDED_IN_STATUSES",
    "ActionStatus",
    "CommentKind",
    "DevelopmentGoal",
    "DialogueComment",
    "DialogueStatus",
    "DocumentJob",
    "DocumentStatus",
    "Evidence",
    "EvidenceKind",
    "FollowUpDialogue",
    "GoalEvaluation",
    "GoalKind",
    "Intervention",
    "PlanAction",
    "PracticeStatus",
    "ProblemArea",
    "ProgressNote",
    "PublicKeyFigures",
    "PublishedReport",
    "QualityReport",
    "ReportComment",
    "ReportDeadline",
    "ReportFigure",
    "ReportSection",
    "ReportSectionRevision",
    "ReportStatus",
    "ReportTemplate",
    "SharedPractice",
    "Verdict",
]
