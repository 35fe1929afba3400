"""Shared fixtures of the breakout tests: small states built in code, and the bundled ones."""

import math

import pytest

from enrichwatch.breakout import BreakoutState, Stock, calibration_state
from tests.breakout.breakout_helpers import W, group


@pytest.fixture(scope="session")
def heu_state():
    """87.5 kg U of 60 % and three IR-6 cascades (the Feb 2023 figure, all of the stock)."""
    return BreakoutState("heu", (Stock(W(60.0), 87.5, 0.02),), (group("A", count=3),))


@pytest.fixture(scope="session")
def ladder_state():
    """Natural (unlimited), 4.5 %, 20 % and 60 % stocks; IR-1, IR-2m and IR-6 groups."""
    stocks = (Stock(W(0.711), math.inf), Stock(W(4.5), 3000.0, 0.05),
              Stock(W(20.0), 200.0, 0.05), Stock(W(60.0), 20.0, 0.05))
    groups = (group("IR-1s", "IR-1", 174, 12), group("IR-2ms", "IR-2m", 174, 4),
              group("IR-6s", "IR-6", 166, 2))
    return BreakoutState("ladder", stocks, groups)


@pytest.fixture(scope="session")
def feb_2023():
    return calibration_state("feb-2023")


@pytest.fixture(scope="session")
def may_2025():
    return calibration_state("may-2025")
