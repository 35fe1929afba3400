"""Plant size limits (issue 14: raised with the sparse stage solver, kept as guards)."""

import pytest

from enrichwatch.facility import limits


def _plant(n_cascades: int, stages: int) -> dict:
    return {"cascades": [{"name": f"C{i}", "machine": "IR-1", "machines_per_stage": [2] * stages,
                          "feed_stage": 0} for i in range(n_cascades)]}


@pytest.mark.parametrize("n_cascades, stages", [
    (10, 150),                                       # refused before issue 14 (1,500 stages)
    (1, limits.MAX_STAGES_PER_CASCADE),
    (limits.MAX_CASCADES, limits.MAX_TOTAL_STAGES // limits.MAX_CASCADES),
])
def test_plants_up_to_the_limits_pass(n_cascades, stages):
    assert limits.limit_problems(_plant(n_cascades, stages), "p.toml") == []


@pytest.mark.parametrize("n_cascades, stages, key, allowed", [
    (1, limits.MAX_STAGES_PER_CASCADE + 1, "cascades[0].machines_per_stage",
     f"at most {limits.MAX_STAGES_PER_CASCADE} stages in a cascade"),
    (limits.MAX_CASCADES + 1, 1, "cascades", f"at most {limits.MAX_CASCADES} [[cascades]]"),
    (limits.MAX_TOTAL_STAGES // 1000 + 1, 1000, "cascades",
     f"at most {limits.MAX_TOTAL_STAGES} stages in the whole plant"),
])
def test_plants_beyond_the_limits_are_refused(n_cascades, stages, key, allowed):
    problems = limits.limit_problems(_plant(n_cascades, stages), "p.toml")
    assert [p.key for p in problems] == [key]
    assert allowed in str(problems[0])


def test_the_limits_stay_guards_above_real_plants():
    """Real plants: up to ~100 cascades of 10-60 stages (the module's sources)."""
    assert 100 < limits.MAX_CASCADES <= 1000
    assert 60 < limits.MAX_STAGES_PER_CASCADE <= 1000
    assert 100 * 60 < limits.MAX_TOTAL_STAGES <= 20_000
