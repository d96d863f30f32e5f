"""Nyinvandrad (newly arrived) as Skolverket's statistics define it: pure, no Django.

Skolverket, "Vad innebär nyinvandrad?" (skolverket.se, Statistik, Frågor och svar):
"I Skolverkets statistik definieras elever som har invandrat till Sverige under något av de
senaste fyra åren, är födda utomlands och vars båda föräldrar är födda utomlands som
nyinvandrade. I kategorin nyinvandrade ingår endast folkbokförda elever. [...] Dessa elever
ingår istället i kategorin okänd bakgrund."

So four facts about a pupil are needed: the date of immigration (invandringsdatum, stored
as Pupil.arrival_date), born abroad, both parents born abroad, and whether the pupil is
folkbokförd. A pupil known by a samordningsnummer (coordination number) is not: Skatteverket
gives those numbers to people who are not and have not been registered in Sweden. Such a
pupil is "okänd bakgrund" in Skolverket's statistics whatever else is known (None below).

"The last four years" are calendar years, counted back from the calendar year of the figure
(its *reference year*, below) and including it: for the spring's leaving grades of 2024/25
(reference year 2025) a pupil who immigrated in 2022, 2023, 2024 or 2025 is newly arrived,
one who immigrated on 31 December 2021 is not.

The reference year of a figure (the engine's `periods` frame, indicators/loading.py):
- an academic year's figure (leaving grades, national tests, surveys): the calendar year of
  the academic year's end, its spring (2024/25 → 2025);
- a term's figure (term grades, absence): the calendar year the term starts in
  (HT 2024 → 2024, VT 2025 → 2025);
- a follow-up point's figure: the calendar year of its assessment date.

What cannot be told is "uppgift saknas" (None), never "not newly arrived": Skolverket keeps
pupils with unknown background apart ("okänd bakgrund"; its tables show figures "exklusive
nyinvandrade och elever med okänd bakgrund", and SALSA and Kolada group them with the newly
arrived), so they are counted in no category of the breakdown (only in the totals). A pupil
with no immigration date is not newly arrived: the date is what the pupils file records for
every pupil who immigrated.
"""

from __future__ import annotations

# The reference year and the three calendar years before it.
NEWLY_ARRIVED_CALENDAR_YEARS = 4

SOURCE = (
    "Skolverket, “Vad innebär nyinvandrad?” (skolverket.se, Statistik, Frågor och svar: "
    "sok-statistik-om-forskola-skola-och-vuxenutbildning/fragor-och-svar/vad-innebar-nyinvandrad)"
)


def newly_arrived(
    *,
    immigration_year: int | None,
    born_abroad: bool | None,
    parents_born_abroad: bool | None,
    coordination_number: bool,
    reference_year: int,
) -> bool | None:
    """True, False, or None when it cannot be told (uppgift saknas).

    A pupil known by a samordningsnummer (not folkbokförd): None. Not newly arrived: no
    immigration known, an immigration outside the four calendar years up to
    `reference_year`, born in Sweden, or a parent born in Sweden. Newly arrived: a
    recent immigration, born abroad and both parents born abroad. Otherwise (a recent
    immigration and the birth country of the pupil or the parents unknown): None."""
    if coordination_number:
        return None
    if immigration_year is None:
        return False
    if not reference_year - NEWLY_ARRIVED_CALENDAR_YEARS < immigration_year <= reference_year:
        return False
    if born_abroad is False or parents_born_abroad is False:
        return False
    if born_abroad and parents_born_abroad:
        return True
    return None
