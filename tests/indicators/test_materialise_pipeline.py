"""Outside a transaction, indicators_materialise() reads, computes and writes chunks in a
pipeline on three connections; inside one it works in sequence. Both store the same rows."""

from __future__ import annotations

import pytest
from django.db import transaction

from skolkvalitet.indicators.materialise import indicators_materialise
from skolkvalitet.indicators.models import IndicatorValue

from .test_materialise import facts  # noqa: F401  (the hand-computed facts, as a fixture)

# Transactional: the pipeline's own connections must see the facts.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def seeded_subjects_and_scales(db):
    """An earlier transactional test's flush removes what the data migration seeded."""
    from skolkvalitet.results.models import AssessmentScale, Subject
    from skolkvalitet.results.scales import ASSESSMENT_SCALES
    from skolkvalitet.results.subjects import SUBJECTS

    for order, subject in enumerate(SUBJECTS):
        Subject.objects.get_or_create(
            code=subject.code,
            defaults={
                "name_sv": subject.name_sv,
                "name_en": subject.name_en,
                "category": subject.category,
                "sort_order": order,
            },
        )
    for scale in ASSESSMENT_SCALES:
        AssessmentScale.objects.get_or_create(
            code=scale["code"], defaults={"name": scale["name"], "values": scale["values"]}
        )


COMPARED = ("indicator", "node_id", "period_kind", "period_id", "breakdown", "value", "n",
            "numerator", "denominator", "suppression", "data_version")  # fmt: skip


def stored() -> list[tuple]:
    return sorted(IndicatorValue.objects.values_list(*COMPARED))


def test_the_pipeline_stores_exactly_what_the_sequence_stores(seeded_subjects_and_scales, facts):  # noqa: F811
    points = [facts.p1.pk, facts.p2.pk]
    with transaction.atomic():  # in sequence, on this connection
        in_sequence = indicators_materialise(points=points)
    sequence_rows = stored()
    IndicatorValue.objects.all().delete()

    in_pipeline = indicators_materialise(points=points)  # no transaction: the pipeline

    assert stored() == sequence_rows
    assert len(sequence_rows) > 0
    # The year's chunk writes its follow-up points' values too; the points' chunks replace
    # them, in order: so both count the same rows written, more than end up stored.
    assert in_pipeline.rows == in_sequence.rows
    assert in_pipeline.chunks == in_sequence.chunks == 3  # one year, two follow-up points
    assert [c[:2] for c in in_pipeline.per_chunk] == [c[:2] for c in in_sequence.per_chunk]


def test_one_point_alone_in_the_pipeline_stores_what_the_sequence_stores(
    seeded_subjects_and_scales,
    facts,  # noqa: F811
    monkeypatch,
):
    """One chunk outside a transaction (one new follow-up point) also runs in the pipeline,
    its facts read while the organisation is, its pupils read with its facts."""
    from skolkvalitet.indicators import materialise

    with transaction.atomic():
        in_sequence = indicators_materialise(years=[], points=[facts.p1.pk])
    sequence_rows = stored()
    IndicatorValue.objects.all().delete()
    pipelines: list[int] = []
    pipeline = materialise._chunks_in_pipeline

    def counted(organisation, read, chunks, version):
        pipelines.append(len(chunks))
        return pipeline(organisation, read, chunks, version)

    monkeypatch.setattr(materialise, "_chunks_in_pipeline", counted)

    in_pipeline = indicators_materialise(years=[], points=[facts.p1.pk])

    assert pipelines == [1]
    assert stored() == sequence_rows
    assert any(breakdown.startswith("gender=") for _i, _n, _k, _p, breakdown, *_ in sequence_rows)
    assert in_pipeline.chunks == in_sequence.chunks == 1
