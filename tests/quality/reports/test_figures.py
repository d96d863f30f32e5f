"""What a report's figure table calls its n column."""

from __future__ import annotations

from skolkvalitet.quality.reports.figures import n_counts_pupils


def test_grades_absence_and_assessments_count_pupils():
    assert n_counts_pupils(["merit_value_17", "absence_mean", "on_track_all_subjects"])


def test_a_preschool_survey_or_staff_figure_does_not():
    # A förskola's table must not call its children "elever"; a survey's n is respondents,
    # a staff figure's n teachers.
    assert not n_counts_pupils(["children_per_group"])
    assert not n_counts_pupils(["merit_value_17", "survey_pupil_safety"])
    assert not n_counts_pupils(["certified_teachers_share"])


def test_an_empty_table_counts_pupils():
    assert n_counts_pupils([])
