"""The grade distribution of the unit page: the final grades of the leaving certificates
of a unit's year-9 pupils, counted from the grades as the final-grade indicators count them
(the one read of facts on the result pages; the shares come from indicators/distribution.py)."""

from __future__ import annotations

from django.db.models import Q

from skolkvalitet.indicators.distribution import (
    Distribution,
    distribution_min_n,
    grade_distributions,
)
from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.indicators.registry import PAGES, REGISTRY
from skolkvalitet.organisation.models import AcademicYear, Node, Term
from skolkvalitet.organisation.scopes import Scope
from skolkvalitet.results.subjects import SWEDISH, SWEDISH_SECOND_LANGUAGE


def grade_distribution(scope: Scope, node: Node, year: AcademicYear) -> list[Distribution]:
    """The distribution of the final grades of the leaving certificates (slutbetyg) of the
    unit's year-9 pupils in `year`, per subject, counted as the final-grade indicators count
    them (measures.leaving_certificates): subjects ended in an earlier year group count, and of
    SV and SVA only one. Suppressed for roles without pupil access (indicators/distribution.py):
    below the final grades' unit-level limit (10 graded pupils), and wherever the materialised
    share passed of the subject is suppressed."""
    access = scope.can_see_pupils_in(node)
    hidden = set()
    if not access:
        hidden = {
            key.removeprefix("passed_")
            for key in IndicatorValue.objects.filter(
                node=node,
                period_kind="year",
                period_id=year.pk,
                indicator__startswith="passed_",
                breakdown="",
            )
            .exclude(suppression="")
            .values_list("indicator", flat=True)
        }
    return grade_distributions(
        leaving_certificate_counts(node, year),
        suppress=not access,
        subjects=PAGES.subjects,
        hidden=hidden,
        min_n=distribution_min_n(year.start_date.year),
    )


def leaving_certificate_counts(node: Node, year: AcademicYear) -> list[tuple[str, str, int]]:
    """(subject, grade, pupils) of the leaving certificates of the unit's year-9 pupils in
    `year`: their year-9 final grades (one grouped query on the partial index of final
    grades) and the final grades of subjects they ended before year 9 (loading's
    ENDED_SUBJECT_YEARS_BACK academic years), one grade per subject and one of SV and SVA."""
    import polars as pl
    from django.db.models import Count

    from skolkvalitet.indicators.engine import DEFAULT_SCHOOL_FORM
    from skolkvalitet.indicators.loading import ENDED_SUBJECT_YEARS_BACK
    from skolkvalitet.indicators.measures import leaving_certificates
    from skolkvalitet.organisation.models import Enrolment
    from skolkvalitet.results.models import Grade, GradeType

    term_ids = list(Term.objects.filter(academic_year=year).values_list("pk", flat=True))
    nine = Grade.objects.filter(
        unit=node, term_id__in=term_ids, grade_type=GradeType.FINAL, year_group=9
    )
    # Only the pupils of the final grades' school forms (grundskola), as the engine counts
    # them: the enrolment's school form at the unit in the year, or, without one, the unit's
    # only school form, else GR (engine.assumed_school_form).
    counted = REGISTRY["merit_value_17"].school_forms
    unit_forms = node.school_forms or []
    assumed = unit_forms[0] if len(unit_forms) == 1 else DEFAULT_SCHOOL_FORM
    enrolled = Enrolment.objects.filter(unit=node, academic_year=year)
    if assumed in counted:
        other = enrolled.exclude(school_form__in=[*counted, ""])
        nine = nine.exclude(pupil_id__in=other.values("pupil_id"))
    else:
        nine = nine.filter(pupil_id__in=enrolled.filter(school_form__in=counted).values("pupil_id"))
    earlier_terms = Term.objects.filter(
        academic_year__start_date__lte=year.start_date,
        academic_year__start_date__gte=year.start_date.replace(
            year=year.start_date.year - ENDED_SUBJECT_YEARS_BACK
        ),
    )
    ended = Q(
        pupil_id__in=nine.values("pupil_id"),
        term__in=earlier_terms,
        grade_type=GradeType.FINAL,
        year_group__lt=9,
    )
    both_swedish = Q(
        pk__in=nine.filter(
            subject__code=SWEDISH_SECOND_LANGUAGE,
            pupil_id__in=nine.filter(subject__code=SWEDISH).values("pupil_id"),
        ).values("pk")
    )
    if not Grade.objects.filter(ended | both_swedish).exists():
        # The usual case: the counts come from the index alone.
        return list(
            nine.values_list("subject__code", "value").annotate(count=Count("*")).order_by()
        )
    fields = ("pupil_id", "year_group", "subject__code", "value", "term__kind")
    rows = list(nine.values_list(*fields)) + list(Grade.objects.filter(ended).values_list(*fields))
    final = pl.DataFrame(
        rows,
        schema={
            "pupil_id": pl.Int64,
            "year_group": pl.Int64,
            "subject": pl.String,
            "value": pl.String,
            "term_kind": pl.String,
        },
        orient="row",
    ).with_columns(unit_id=pl.lit(node.pk), academic_year_id=pl.lit(year.pk))
    grouped = leaving_certificates(final).group_by("subject", "value").len()
    return [(r["subject"], r["value"], r["len"]) for r in grouped.iter_rows(named=True)]
