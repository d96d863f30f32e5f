"""tenant_build(): several generated organisers in one database (bench/bench_tenants.py),
each with its own codes and pupils, and the demo's own build still refusing such a database."""

from __future__ import annotations

import pytest

from skolkvalitet.demo.builder import Tenant, demo_build, tenant_build
from skolkvalitet.demo.generator import generate
from skolkvalitet.organisation.models import Enrolment, Node, NodeKind, Pupil
from skolkvalitet.results.models import Grade

pytestmark = pytest.mark.django_db

SCALE = 0.05


def test_two_tenants_of_the_same_seed_are_two_organisers_with_their_own_pupils(db):
    first, second = Tenant(index=1, seed=7, scale=SCALE), Tenant(index=2, seed=7, scale=SCALE)
    counts = tenant_build(first)
    tenant_build(second)
    data = generate(seed=7, scale=SCALE)
    organisers = Node.objects.filter(kind=NodeKind.ORGANISER).order_by("code")
    assert [(o.code, o.name) for o in organisers] == [
        ("T01", "Demohuvudman 01"),
        ("T02", "Demohuvudman 02"),
    ]
    # The same generated pupils, twice: each tenant's are its own rows.
    assert counts["pupils"] == data.pupils["personal_number"].shape[0]
    assert Pupil.objects.count() == 2 * counts["pupils"]
    assert counts["grades"] == data.grades["pupil"].shape[0]
    for organiser in organisers:
        units = Node.objects.filter(kind=NodeKind.UNIT, path__startswith=organiser.path)
        assert units.count() == len(data.units)
        assert {u.code[0] for u in units} == {organiser.code[-1]}
        assert Grade.objects.filter(unit__in=units).count() == counts["grades"]
        pupils = Enrolment.objects.filter(unit__in=units).values("pupil").distinct()
        other = Enrolment.objects.exclude(unit__in=units).filter(pupil__in=pupils)
        assert not other.exists()


def test_a_tenant_is_written_once_and_the_demo_still_refuses_the_database(db):
    tenant = Tenant(index=3, seed=7, scale=SCALE)
    tenant_build(tenant)
    with pytest.raises(ValueError, match="already holds organiser T03"):
        tenant_build(tenant)
    with pytest.raises(ValueError, match="already holds an organiser"):
        demo_build(scale=SCALE)
