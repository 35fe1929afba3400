"""Shared helpers of the detection tests: small regimes and misuses built in code or text."""

from datetime import date

from enrichwatch.detection import Activity, Delay, misuse_of_kind

START = date(2023, 1, 16)

#: A small regime file: one facility, an unannounced-inspection measure with two periods, a
#: monthly inspection with seals checked at it, and environmental sampling with a lab delay.
REGIME = '''
[regime]
name = "test regime"
facilities = ["Plant A", "Plant B"]

[sources]
S1 = "https://example.org/one"
S2 = "https://example.org/two"

[[era]]
from = "2020-01-01"
label = "first"
short = "1"
source = ["S1"]

[[measure]]
name = "unannounced inspections"
kind = "unannounced_inspection"
facilities = ["Plant A"]

[[measure.period]]
from = "2020-01-01"
to = "2023-01-01"
in_place = true
process = "poisson"
per_year = 12
source = ["S1"]
verified = false
note = "12 a year: an assumption"

[[measure.period]]
from = "2023-01-01"
in_place = true
process = "poisson"
per_year = 24
source = ["S2"]
verified = true

[[measure]]
name = "monthly inspection"
kind = "inspection"
facilities = ["Plant A", "Plant B"]

[[measure.period]]
from = "2020-01-01"
in_place = true
process = "periodic"
period_days = 30
source = ["S1"]
verified = true

[[measure]]
name = "seals"
kind = "seals"
facilities = ["Plant A"]

[[measure.period]]
from = "2020-01-01"
in_place = true
at = "inspection"
source = ["S1"]
verified = true

[[measure]]
name = "sampling"
kind = "environmental_sampling"
facilities = ["Plant A"]

[[measure.period]]
from = "2020-01-01"
in_place = true
process = "periodic"
period_days = 60
delay_days = [20, 40]
source = ["S2"]
verified = false
note = "lab delay assumed"
'''

#: A material balance to append to REGIME: its detection probability per balance computed by
#: the accountancy statistics from sigma-MUF (the ``accountancy`` table).
BALANCE = '''
[[measure]]
name = "material balance"
kind = "material_accountancy"
facilities = ["Plant A"]

[[measure.period]]
from = "2020-01-01"
in_place = true
process = "periodic"
period_days = 365
delay_days = 30
source = ["S1"]
verified = false
note = "sigma-MUF assumed"

[measure.period.accountancy]
sigma_muf_kg = 12.0
loss_kg = 30.0
false_alarm = 0.05
'''


def activities():
    """One activity of each closed-form process, with fixed and uniform delays and offsets."""
    return [Activity.periodic("periodic", 30.0, 0.7, delay=Delay(5.0, 20.0)),
            Activity.poisson("poisson", 12.0, 0.5, delay=Delay(21.0, 98.0)),
            Activity.continuous("monitor", 7.0, 0.8, offset_days=2.0, delay=Delay.fixed(1.0)),
            Activity.continuous("real time", 0.0, 0.6, offset_days=3.0),
            Activity.periodic("certain", 10.0, 1.0, delay=Delay(0.0, 3.0))]


def repiping(facilities=("Plant A",), **kw):
    return misuse_of_kind("repiping", "test re-piping", facilities, START, **kw)
