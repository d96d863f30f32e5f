from skolkvalitet.organisation.models.audit import AuditEvent, AuditLogAppendOnly
from skolkvalitet.organisation.models.nodes import (
    Node,
    NodeKind,
    OrganiserType,
    SchoolForm,
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
    "AuditEvent",
    "AuditLogAppendOnly",
    "Enrolment",
    "FollowUpPoint",
    "LegalGender",
    "Node",
    "NodeKind",
    "OrganiserType",
    "Pupil",
    "Role",
    "RoleAssignment",
    "SchoolForm",
    "StaffCertification",
    "StaffEmployment",
    "StaffMember",
    "Term",
    "TermKind",
]
