"""Physical constants and IAEA safeguards figures, each with its unit and source.

Every number the package relies on lives here, once.

Examples
--------
>>> from enrichwatch.constants import ISOTOPE_MASS, SQ_HEU_U235_KG
>>> round(ISOTOPE_MASS["U235"], 4)
235.0439
>>> SQ_HEU_U235_KG
25.0
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = [
    "CENTRIFUGE_FLOW_RATIO",
    "CENTRIFUGE_GAS_TEMPERATURE_K",
    "CENTRIFUGE_PRESSURE_RATIO",
    "CENTRIFUGE_R2_OVER_A",
    "DAYS_PER_MONTH",
    "DAYS_PER_YEAR",
    "DETECTION_PROBABILITY_HIGH",
    "DETECTION_PROBABILITY_LOW",
    "DISPLAY_RATE_UNITS",
    "FLUORINE_MASS",
    "GAS_CONSTANT",
    "HEU_THRESHOLD",
    "HEU_THRESHOLD_WT_PCT",
    "ISOTOPE_MASS",
    "MASS_NUMBER",
    "MONTHS_PER_YEAR",
    "NATURAL_URANIUM_ATOM_PCT",
    "RATE_UNITS",
    "SECONDS_PER_DAY",
    "SECONDS_PER_MONTH",
    "SECONDS_PER_YEAR",
    "SQ_DEPLETED_U_KG",
    "SQ_HEU_U235_KG",
    "SQ_LEU_U235_KG",
    "SQ_NATURAL_U_KG",
    "SQ_PU_KG",
    "SQ_THORIUM_KG",
    "SQ_U233_KG",
    "TIMELINESS_INDIRECT_USE_MONTHS",
    "TIMELINESS_IRRADIATED_DIRECT_USE_MONTHS",
    "TIMELINESS_UNIRRADIATED_DIRECT_USE_MONTHS",
    "UF6_CYLINDERS",
    "UF6_ISOTOPE_MASS_DIFFERENCE_KG_MOL",
    "UF6_MOLAR_MASS_KG_MOL",
    "UF6_RHO_D_KG_M_S",
    "URANIUM_ISOTOPES",
    "URANIUM_MOLAR_MASS_KG_MOL",
    "WEAPON_GRADE_ASSAY",
]

#: Atomic masses of the uranium isotopes [g/mol = u].
#: Source: AME2020, M. Wang et al., Chinese Physics C 45, 030003 (2021).
ISOTOPE_MASS: MappingProxyType[str, float] = MappingProxyType(
    {
        "U232": 232.037156297,
        "U233": 233.039635525,
        "U234": 234.040952306,
        "U235": 235.043930131,
        "U236": 236.045568210,
        "U238": 238.050788423,
    }
)

#: Mass numbers of the uranium isotopes [1], in the order used everywhere internally.
MASS_NUMBER: MappingProxyType[str, int] = MappingProxyType(
    {"U232": 232, "U233": 233, "U234": 234, "U235": 235, "U236": 236, "U238": 238}
)

#: The isotopes the package knows, lightest first.
URANIUM_ISOTOPES: tuple[str, ...] = tuple(MASS_NUMBER)

#: Atomic mass of fluorine-19 [g/mol]. Source: AME2020 (as above).
FLUORINE_MASS: float = 18.998403163

#: Molar mass of natural-isotopic UF6 [kg/mol], used where the machine model needs
#: the process gas molar mass. Source: 238.0289 (IUPAC 2013 standard atomic weight of U)
#: + 6 x 18.998403163 (AME2020), rounded.
UF6_MOLAR_MASS_KG_MOL: float = 0.352019

#: Molar gas constant [J/(mol K)]. Source: CODATA 2018 (exact in the 2019 SI).
GAS_CONSTANT: float = 8.314462618

#: Natural uranium composition [atom percent].
#: Source: IUPAC-CIAAW isotopic abundance of U (0.0054 % U-234, 0.7204 % U-235); the peers'
#: and reference vectors' conventional 0.0055/0.711/99.2835 (atom %) is used by the tests instead.
NATURAL_URANIUM_ATOM_PCT: MappingProxyType[str, float] = MappingProxyType(
    {"U234": 0.0054, "U235": 0.7204, "U238": 99.2742}
)

#: Seconds in a day [s/d] (SI day of 86 400 s).
SECONDS_PER_DAY: float = 86400.0

#: Days in a year [d/yr]: the Julian year of 365.25 d, the year of every rate "per year".
#: Source: IAU (Julian year, 365.25 d of 86 400 s).
DAYS_PER_YEAR: float = 365.25

#: Seconds in a year [s/yr] (Julian year, 365.25 d), used to convert machine ratings.
SECONDS_PER_YEAR: float = DAYS_PER_YEAR * SECONDS_PER_DAY

#: Months in a year [month/yr]: rates "per month" are one twelfth of rates per year.
MONTHS_PER_YEAR: float = 12.0

#: Seconds in a month [s/month] (one twelfth of a Julian year).
SECONDS_PER_MONTH: float = SECONDS_PER_YEAR / MONTHS_PER_YEAR

#: Mean days in a month [d/month] (one twelfth of a Julian year, 30.4375 d), used to turn day
#: counts into months.
DAYS_PER_MONTH: float = DAYS_PER_YEAR / MONTHS_PER_YEAR

#: Units of uranium flow rates: unit -> (material counted, periods per year [1/yr]). A rate ``r``
#: in a unit is ``r x periods`` kg of the material per year; kg UF6 convert to kg U with the
#: stream's isotopics (:func:`enrichwatch.composition.kg_uf6_to_kg_u`). The package computes in
#: kg U/yr; plant files may use any of these units, reports and plots show the kg U ones
#: (:data:`DISPLAY_RATE_UNITS`). Source: definitions (a month is 1/12 of a year, as above).
RATE_UNITS: MappingProxyType[str, tuple[str, float]] = MappingProxyType({
    "kg U/month": ("U", MONTHS_PER_YEAR),
    "kg U/yr": ("U", 1.0),
    "kg UF6/month": ("UF6", MONTHS_PER_YEAR),
    "kg UF6/yr": ("UF6", 1.0),
})

#: The rate units that need no isotopics (kg U), in which results, reports and plots are shown.
DISPLAY_RATE_UNITS: tuple[str, ...] = tuple(u for u, (m, _) in RATE_UNITS.items() if m == "U")

#: IAEA significant quantity of HEU (>= 20 % U-235) [kg U-235].
#: Source: IAEA Safeguards Glossary (2001 ed., Table II; 2022 ed.).
SQ_HEU_U235_KG: float = 25.0

#: IAEA significant quantity of LEU (< 20 % U-235) [kg U-235]. Source: IAEA Safeguards Glossary.
SQ_LEU_U235_KG: float = 75.0

#: IAEA significant quantity of natural uranium, the alternative to 75 kg U-235 for LEU [kg U].
#: Source: IAEA Safeguards Glossary (2001 ed., Table II) (vector SG-CONST-001).
SQ_NATURAL_U_KG: float = 10_000.0

#: IAEA significant quantity of depleted uranium [kg U]. Source: as above (SG-CONST-001).
SQ_DEPLETED_U_KG: float = 20_000.0

#: IAEA significant quantities of the other materials [kg of the element or isotope named]:
#: Pu (< 80 % Pu-238), U-233, thorium.
#: Source: IAEA Safeguards Glossary (2001 ed., Table II); vector SG-CONST-001.
SQ_PU_KG: float = 8.0
SQ_U233_KG: float = 8.0
SQ_THORIUM_KG: float = 20_000.0

#: Detection probability of the IAEA's "high" level used in sampling plans (1 - beta) [1].
#: Source: NSSPI "Detection probability" glossary page (vector SG-CONST-003), after the IAEA
#: Safeguards Criteria.
DETECTION_PROBABILITY_HIGH: float = 0.9

#: Detection probability of the "low" level used in sampling plans [1]. Source: as above.
DETECTION_PROBABILITY_LOW: float = 0.2

#: IAEA timeliness detection goal for unirradiated direct-use material [months].
#: Source: IAEA Safeguards Glossary (2001 ed., Table III).
TIMELINESS_UNIRRADIATED_DIRECT_USE_MONTHS: float = 1.0

#: IAEA timeliness detection goals for irradiated direct-use and for indirect-use material
#: (LEU, natural and depleted U, thorium) [months].
#: Source: IAEA Safeguards Glossary (2001 ed., Table III); vector SG-CONST-002.
TIMELINESS_IRRADIATED_DIRECT_USE_MONTHS: float = 3.0
TIMELINESS_INDIRECT_USE_MONTHS: float = 12.0

#: Lower U-235 bound of highly enriched uranium [mass fraction]. Source: IAEA Safeguards Glossary.
HEU_THRESHOLD: float = 0.20

#: The same bound in weight percent U-235 [wt%], the scale results are reported in.
HEU_THRESHOLD_WT_PCT: float = 100.0 * HEU_THRESHOLD

#: U-235 assay of weapon-grade uranium used for breakout arithmetic [mass fraction].
#: Source: convention in IAEA and ISIS analyses (e.g. ISIS breakout estimates, 2019-2025).
WEAPON_GRADE_ASSAY: float = 0.90

# -- Centrifuge machine model (Glaser 2008 eq. 10, used by ``physics/machines.py``) ----------------

#: Standard atomic weight of uranium as a molar mass [kg/mol], used to convert the machine model's
#: UF6-based flows to kg U. Source: IUPAC 2013 standard atomic weight of U, 238.02891(3) g/mol
#: (the same value that enters :data:`UF6_MOLAR_MASS_KG_MOL`).
URANIUM_MOLAR_MASS_KG_MOL: float = 0.2380289

#: Density times self-diffusion coefficient of UF6 gas, rho*D [kg/(m s)], on a kg UF6 basis.
#: Source: A. Glaser, Science & Global Security 16:1-25 (2008), the value used with eq. 10
#: (also cnerg/mbmore CentrifugeConfig).
UF6_RHO_D_KG_M_S: float = 2.2e-5

#: Molar mass difference of 238-UF6 and 235-UF6 [kg/mol], rounded to 3 g/mol as in Glaser (2008)
#: eq. 10 (AME2020 masses give 0.0030069 kg/mol). Source: Glaser 2008; ``cascade-vectors.json``.
UF6_ISOTOPE_MASS_DIFFERENCE_KG_MOL: float = 0.003

#: Ratio of the wall pressure to the pressure at the inner radius r1 of the separating gas layer
#: in Glaser's model [1]. Source: Glaser 2008 (x = 1000).
CENTRIFUGE_PRESSURE_RATIO: float = 1000.0

#: Outer radius of the countercurrent flow r2 as a fraction of the rotor radius a [1].
#: Source: Glaser 2008 model (r2 = 0.975 a).
CENTRIFUGE_R2_OVER_A: float = 0.975

#: Default gas temperature of the machine model [K]. Source: the temperature of the Glaser (2008)
#: model calculations as used in cnerg/mbmore (CentrifugeConfig default, 320 K) and in the
#: ``centrifuge-mbmore-*`` reference vectors.
CENTRIFUGE_GAS_TEMPERATURE_K: float = 320.0

#: Default internal (countercurrent) flow ratio L/F at the design point [1]. Source: Glaser 2008
#: (L/F of about 2-4); 2 is the value of the ``centrifuge-mbmore-*`` reference vectors.
CENTRIFUGE_FLOW_RATIO: float = 2.0

# -- UF6 cylinders (the items of an enrichment plant's feed, product and tails strata) ----------

#: Standard UF6 cylinders: model -> (maximum fill [kg UF6], maximum U-235 enrichment [wt%]).
#: Sources: USEC-651, "The UF6 Manual: Good Handling Practices for Uranium Hexafluoride", Rev. 8
#: (January 1999), Table 1 "Standard UF6 cylinder data" (the ANSI N14.1 cylinders): 30B 2,277 kg
#: (5,020 lb) UF6 at <= 5.0 wt%, 48Y 12,501 kg (27,560 lb) at <= 4.5 wt%, 5A/5B 24.95 kg at
#: <= 100 wt%, 8A 115.7 kg at <= 12.5 wt%; the last two as reprinted from it in G. Eccleston and
#: E. Wonder, "UF6 Cylinders Monitoring Needs", NNSA presentation, NMMSS Users Group (2010), which
#: also gives, rounded, "30B holds 2,270 kg UF6 (1,540 kg U)" (1,540 kg U is the full 2,277 kg)
#: and "48Y holds 12,500 kg UF6 (8,450 kg U)". 30B carries LEU product, 48Y natural feed and
#: depleted tails, 5A/5B and 8A higher assays.
UF6_CYLINDERS: MappingProxyType[str, tuple[float, float]] = MappingProxyType({
    "5A": (24.95, 100.0),
    "8A": (115.7, 12.5),
    "30B": (2277.0, 5.0),
    "48Y": (12501.0, 4.5),
})
