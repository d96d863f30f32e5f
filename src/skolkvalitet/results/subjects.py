"""Skolverket's subject codes for grundskolan (Skolverket's grade collection and SS 12000's
syllabus codes). Seeded into results.Subject by a data migration; the list is the source."""

from __future__ import annotations

from typing import NamedTuple


class SubjectDef(NamedTuple):
    code: str
    name_sv: str
    name_en: str
    category: str  # core | science | social | practical | language | mother_tongue


SUBJECTS: tuple[SubjectDef, ...] = (
    SubjectDef("SV", "Svenska", "Swedish", "core"),
    SubjectDef("SVA", "Svenska som andraspråk", "Swedish as a second language", "core"),
    SubjectDef("EN", "Engelska", "English", "core"),
    SubjectDef("MA", "Matematik", "Mathematics", "core"),
    SubjectDef("BI", "Biologi", "Biology", "science"),
    SubjectDef("FY", "Fysik", "Physics", "science"),
    SubjectDef("KE", "Kemi", "Chemistry", "science"),
    SubjectDef("TK", "Teknik", "Technology", "science"),
    SubjectDef("GE", "Geografi", "Geography", "social"),
    SubjectDef("HI", "Historia", "History", "social"),
    SubjectDef("RE", "Religionskunskap", "Religious education", "social"),
    SubjectDef("SH", "Samhällskunskap", "Civics", "social"),
    SubjectDef("BL", "Bild", "Art", "practical"),
    SubjectDef("HKK", "Hem- och konsumentkunskap", "Home and consumer studies", "practical"),
    SubjectDef("IDH", "Idrott och hälsa", "Physical education and health", "practical"),
    SubjectDef("MU", "Musik", "Music", "practical"),
    SubjectDef("SL", "Slöjd", "Crafts", "practical"),
    SubjectDef("M1", "Moderna språk, språkval", "Modern languages (language choice)", "language"),
    SubjectDef("M2", "Moderna språk, elevens val", "Modern languages (pupil's choice)", "language"),
    SubjectDef("ML", "Modersmål", "Mother tongue", "mother_tongue"),
    SubjectDef("TN", "Teckenspråk för hörande", "Sign language for hearing pupils", "language"),
)

# Svenska and svenska som andraspråk: a pupil is graded in one of the two, and where both are
# graded only one counts (skolförordningen 5 kap. 15 §).
SWEDISH = "SV"
SWEDISH_SECOND_LANGUAGE = "SVA"
SWEDISH_SUBJECTS = (SWEDISH, SWEDISH_SECOND_LANGUAGE)

# The subjects of the national tests in years 6 and 9 that the indicators follow.
NATIONAL_TEST_SUBJECTS = (SWEDISH, SWEDISH_SECOND_LANGUAGE, "EN", "MA")

# Besides svenska or svenska som andraspråk, the 15 subjects every pupil in grundskolan is
# graded in (16 in all).
COMPULSORY_BESIDES_SWEDISH = (
    "EN",
    "MA",
    "BI",
    "FY",
    "KE",
    "TK",
    "GE",
    "HI",
    "RE",
    "SH",
    "BL",
    "HKK",
    "IDH",
    "MU",
    "SL",
)

SUBJECT_NAMES = {s.code: s.name_sv for s in SUBJECTS}


def subject_name(code: str) -> str:
    """A subject's Swedish name ("Matematik"), or its code when the list does not know it."""
    return SUBJECT_NAMES.get(code, code)
