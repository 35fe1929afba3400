"""Progress of an accountancy analysis: one phase of Monte Carlo iterations whose count ends at
its true total (iterations x quantities x runs), and the same results with or without it."""

from enrichwatch.accountancy.study import analyse
from enrichwatch.accountancy.study_io import load_study
from enrichwatch.parallel import RecordedProgress
from tests.accountancy.study_helpers import EXAMPLES


def test_iterations_of_every_run_are_counted():
    study = load_study(EXAMPLES / "protracted-loss.toml")
    rec = RecordedProgress()
    a = analyse(study, iterations=1200, progress=rec)
    runs = len(study.tests.quantities) * (1 + len(study.losses))
    assert runs > 1
    assert rec.phases == (("Monte Carlo iterations", 1200 * runs, 1200 * runs),)
    assert rec.events[-1] == ("close",)
    b = analyse(study, iterations=1200)
    assert a.as_dict() == b.as_dict()
