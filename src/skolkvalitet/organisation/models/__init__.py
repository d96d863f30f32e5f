from skolkvalitet.organisation.models.audit import AuditEvent
from skolkvalitet.organisation.models.nodes import (
    Area,
    Group,
    Node,
    NodeKind,
    OrganiserType,
    Organizer,
    SchoolForm,
    SchoolUnit,
)
from skolkvalitet.organisation.models.people import (
    Enrolment,
    LegalGender,
    Pupil,
    StaffCertification,
    StaffEmployment,
    StaffMember,
)
from skolkvalitet.organisation.models.periods import AcademicYear, FollowUpPoint, Term, TermKind
from skolkvalitet.organisation.models.roles import Role, RoleAssignment

__all__ = [
    "AcademicYear",
    "Area",
    "AuditEvent",
    "Enrolment",
    "FollowUpPoint",
    "Group",
    "LegalGender",
    "Node",
    "NodeKind",
    "OrganiserType",
    "Organizer",
    "Pupil",
    "Role",
    "RoleAssignment",
    "SchoolForm",
    "SchoolUnit",
    "StaffCertification",
    "StaffEmployment",
    "StaffMember",
    "Term",
    "TermKind",
]
