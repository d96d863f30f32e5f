"""The fictional organiser the demo builds: Ekbacka kommun, its areas, units and planted
interventions. Everything here is invented; docs/demo-data.md describes it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

MUNICIPALITY_NAME = "Ekbacka kommun"
MUNICIPALITY_CODE = "9999"  # not a real kommunkod
ORGANISER_NAME = "Ekbacka kommun, utbildningsförvaltningen"
FIRST_YEAR = 2021  # 2021/22
LAST_YEAR = 2026  # 2026/27: the running year, autumn term follow-ups only
TODAY = dt.date(2026, 11, 23)  # the demo's "now": fixed, so the data never depend on the clock


@dataclass(frozen=True)
class UnitDef:
    key: str
    name: str
    area: str
    code: str  # skolenhetskod (fictional, 8 digits)
    kind: str  # preschool | f6 | f9 | s79 | gy
    size: float  # pupils per year group (preschool: children per age 1–5)
    effect: float  # school effect on the latent attainment scale (SD units)
    ses: float  # mean of the families' education propensity (higher = more post-secondary)
    secondary: str = ""  # f6 only: the unit its pupils move to in year 7
    certified_share: float = 0.8  # share of teachers with legitimation and behörighet


AREAS = ("Norra området", "Centrala området", "Södra området")

UNITS: tuple[UnitDef, ...] = (
    # Norra: well-educated suburb, one 7–9 school.
    UnitDef("larkan", "Förskolan Lärkan", AREAS[0], "99100101", "preschool", 25, 0, 0.7),
    UnitDef("bjorkdungen", "Förskolan Björkdungen", AREAS[0], "99100102", "preschool", 22, 0, 0.6),
    UnitDef("tallbacken", "Förskolan Tallbacken", AREAS[0], "99100103", "preschool", 18, 0, 0.5),
    UnitDef("angs", "Ängsskolan", AREAS[0], "99100201", "f6", 58, 0.10, 0.7, "kvarnby", 0.86),
    UnitDef(
        "norrbacka", "Norrbackaskolan", AREAS[0], "99100202", "f6", 63, 0.00, 0.6, "kvarnby", 0.84
    ),
    UnitDef("backa", "Backa skola", AREAS[0], "99100203", "f6", 25, 0.05, 0.4, "kvarnby", 0.78),
    UnitDef("kvarnby", "Kvarnbyskolan", AREAS[0], "99100301", "s79", 0, -0.05, 0.6, "", 0.82),
    # Centrala: the town centre, mixed, upper secondary school.
    UnitDef("solrosen", "Förskolan Solrosen", AREAS[1], "99200101", "preschool", 23, 0, 0.2),
    UnitDef("myran", "Förskolan Myran", AREAS[1], "99200102", "preschool", 22, 0, 0.1),
    UnitDef("regnbagen", "Förskolan Regnbågen", AREAS[1], "99200103", "preschool", 20, 0, 0.0),
    UnitDef(
        "centrum", "Centrumskolan", AREAS[1], "99200201", "f6", 56, 0.05, 0.2, "ekbacka79", 0.80
    ),
    UnitDef("torg", "Torgskolan", AREAS[1], "99200202", "f6", 52, -0.10, 0.0, "ekbacka79", 0.74),
    UnitDef("station", "Stationsskolan", AREAS[1], "99200301", "f9", 58, 0.15, 0.1, "", 0.79),
    UnitDef("ekbacka79", "Ekbackaskolan", AREAS[1], "99200302", "s79", 0, -0.10, 0.1, "", 0.76),
    UnitDef("gymnasium", "Ekbacka gymnasium", AREAS[1], "99200401", "gy", 300, 0.0, 0.2, "", 0.85),
    # Södra: harbour district with more newly arrived families, two F–9 schools.
    UnitDef("ekorren", "Förskolan Ekorren", AREAS[2], "99300101", "preschool", 22, 0, -0.3),
    UnitDef("havsornen", "Förskolan Havsörnen", AREAS[2], "99300102", "preschool", 20, 0, -0.4),
    UnitDef("kotten", "Förskolan Kotten", AREAS[2], "99300104", "preschool", 16, 0, -0.1),
    UnitDef("sjostjarnan", "Förskolan Sjöstjärnan", AREAS[2], "99300103", "preschool", 18, 0, -0.2),
    UnitDef("sjovik", "Sjöviksskolan", AREAS[2], "99300201", "f6", 47, -0.05, -0.3, "hamn", 0.70),
    UnitDef("strand", "Strandskolan", AREAS[2], "99300202", "f6", 50, -0.15, -0.5, "hamn", 0.66),
    UnitDef("lunda", "Lunda skola", AREAS[2], "99300203", "f6", 38, 0.00, -0.2, "soderviks", 0.72),
    UnitDef(
        "skogsbrynet",
        "Skogsbrynets skola",
        AREAS[2],
        "99300204",
        "f6",
        10,
        0.20,
        0.1,
        "soderviks",
        0.90,
    ),
    UnitDef("hamn", "Hamnskolan", AREAS[2], "99300301", "f9", 54, 0.20, -0.6, "", 0.68),
    UnitDef("soderviks", "Södervikskolan", AREAS[2], "99300302", "f9", 65, -0.20, -0.3, "", 0.71),
)


@dataclass(frozen=True)
class InterventionDef:
    """A planted intervention: from `start_term` on, the latent attainment of pupils in
    `units`, in `subjects` and `year_groups`, rises by `effect` (SD units) in every grade,
    assessment and national test. The analysis of interventions must recover these."""

    key: str
    name: str
    description: str
    units: tuple[str, ...]
    start_term: str  # "HT2023"
    subjects: tuple[str, ...]
    year_groups: tuple[int, ...]
    effect: float


INTERVENTIONS: tuple[InterventionDef, ...] = (
    InterventionDef(
        "reading",
        "Läsfrämjande undervisning F–6",
        "Gemensam läsundervisning med högläsning, läsförståelsestrategier och skolbibliotek "
        "i Södra områdets F–6-skolor.",
        ("sjovik", "strand", "lunda"),
        "HT2023",
        ("SV", "SVA"),
        (1, 2, 3, 4, 5, 6),
        0.40,
    ),
    InterventionDef(
        "maths",
        "Strukturerad matematikundervisning 7–9",
        "Kollegialt lärande i matematik, gemensamma genomgångar och tidiga stödinsatser "
        "i Kvarnbyskolan och Ekbackaskolan.",
        ("kvarnby", "ekbacka79"),
        "VT2024",
        ("MA",),
        (7, 8, 9),
        0.35,
    ),
    InterventionDef(
        "digital_so",
        "Digitala läromedel i SO",
        "Digitala läromedel i SO-ämnena i Centrala områdets F–6-skolor. (Planterad utan "
        "effekt: analysen ska inte hitta någon.)",
        ("centrum", "torg"),
        "HT2024",
        ("GE", "HI", "RE", "SH"),
        (4, 5, 6),
        0.0,
    ),
)

GIVEN_NAMES_F = (
    "Alice",
    "Maja",
    "Elsa",
    "Astrid",
    "Wilma",
    "Freja",
    "Olivia",
    "Selma",
    "Alma",
    "Ella",
    "Agnes",
    "Ebba",
    "Clara",
    "Saga",
    "Vera",
    "Signe",
    "Stella",
    "Alva",
    "Nora",
    "Ines",
)
GIVEN_NAMES_M = (
    "Noah",
    "William",
    "Hugo",
    "Lucas",
    "Liam",
    "Oscar",
    "Elias",
    "Adam",
    "Matteo",
    "Leo",
    "Alexander",
    "Nils",
    "Vincent",
    "Theo",
    "Ludvig",
    "Harry",
    "Gustav",
    "Axel",
    "Edvin",
    "Olle",
)
GIVEN_NAMES_ARRIVED_F = ("Amira", "Sara", "Mariam", "Hiba", "Zahra", "Lina", "Nour", "Yasmin")
GIVEN_NAMES_ARRIVED_M = ("Omar", "Yusuf", "Ali", "Mohammed", "Ibrahim", "Karim", "Hamza", "Sami")
FAMILY_NAMES = (
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Jansson",
    "Hansson",
    "Bengtsson",
    "Lindberg",
    "Lindqvist",
    "Berg",
    "Lundgren",
    "Sandberg",
    "Holm",
    "Ek",
)
FAMILY_NAMES_ARRIVED = ("Hassan", "Ahmadi", "Mohamed", "Ali", "Osman", "Haddad", "Rahimi")
PRESCHOOL_GROUP_NAMES = (
    "Blåsippan",
    "Smörblomman",
    "Vitsippan",
    "Prästkragen",
    "Maskrosen",
    "Tussilago",
    "Linnean",
    "Kattfoten",
    "Blåklockan",
    "Gullvivan",
)
GY_PROGRAMMES = (("NA", 0.22), ("EK", 0.22), ("SA", 0.2), ("TE", 0.14), ("EL", 0.1), ("VO", 0.12))
MODERN_LANGUAGES = (("SPA", 0.5), ("TYS", 0.27), ("FRA", 0.23))
MOTHER_TONGUES = ("ARA", "SOM", "PER", "BOS", "FIN", "POL", "TIR")
