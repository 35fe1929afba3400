"""Import of MAPIT's CSV layout (input/, inventory/, output/; one `time,value` file a point)."""

import numpy as np
import pytest

from enrichwatch.accountancy import (
    BalancePeriods,
    Flow,
    Items,
    Level,
    mapit_point,
    material_balance,
    read_mapit_csv,
    read_mapit_directory,
)
from enrichwatch.errors import InputError, MassError


def _write(path, times, values):
    path.parent.mkdir(parents=True, exist_ok=True)
    # MAPIT writes numpy.savetxt(..., delimiter=','): full-precision scientific notation
    np.savetxt(path, np.column_stack([times, values]), delimiter=",")
    return path


@pytest.fixture
def mapit_folder(tmp_path):
    t = np.arange(0.0, 41.0)
    _write(tmp_path / "input" / "in0.csv", t, np.full(t.size, 2.0))        # kg/h
    _write(tmp_path / "input" / "in1.csv", t, np.where(t == 25, 7.0, 0.0))  # one item
    _write(tmp_path / "output" / "out0.csv", t, np.full(t.size, 1.5))
    _write(tmp_path / "inventory" / "invn0.csv", t, 0.5 * t)                 # kg
    return tmp_path


def test_a_mapit_folder_becomes_an_area(mapit_folder):
    area = read_mapit_directory(mapit_folder, kinds={"in1": "items"})
    assert area.names == ("in0", "in1", "invn0", "out0")
    assert isinstance(area.point("in0").data, Flow)
    assert area.point("in0").data.integration == "trapezoid"
    assert isinstance(area.point("in1").data, Items)
    assert isinstance(area.point("invn0").data, Level)
    mb = material_balance(area, BalancePeriods.regular(0.0, 10.0, 4))
    # 20 in - 15 out - 5 inventory growth per period; the 7 kg item in period 3
    assert mb.muf == pytest.approx([0.0, 0.0, 7.0, 0.0], abs=1e-9)
    assert area.name == mapit_folder.name


def test_points_sort_naturally(tmp_path):
    for i in (10, 2, 1):
        _write(tmp_path / "input" / f"in{i}.csv", [0, 1], [1, 1])
    assert read_mapit_directory(tmp_path).names == ("in1", "in2", "in10")


def test_assays_make_the_isotope_balance(mapit_folder):
    area = read_mapit_directory(mapit_folder, kinds={"in1": "items"},
                                assays={"in0": 0.711, "in1": 0.711, "out0": 0.3,
                                        "invn0": 0.5})
    mb = material_balance(area, BalancePeriods.regular(0.0, 10.0, 1), "U235")
    assert mb.inputs[0] == pytest.approx(20 * 0.00711)
    assert mb.outputs[0] == pytest.approx(15 * 0.003)


def test_round_off_below_zero_reads_as_zero_but_a_negative_mass_is_refused(tmp_path):
    path = tmp_path / "invn0.csv"
    path.write_text("0,1.0\n1,-3.108624468950438313e-14\n2,4.0\n")
    t, v = read_mapit_csv(path)
    assert v.tolist() == [1.0, 0.0, 4.0]
    path.write_text("0,1.0\n1,-2.5\n")
    with pytest.raises(MassError) as err:
        read_mapit_csv(path)
    assert err.value.param == f"{path}:2" and err.value.value == -2.5


def test_a_header_line_is_allowed_and_bad_lines_are_named(tmp_path):
    path = tmp_path / "out0.csv"
    path.write_text("time,value\n0,1\n1,2\n")
    assert read_mapit_csv(path)[1].tolist() == [1.0, 2.0]
    path.write_text("0,1\n1;2\n")
    with pytest.raises(InputError) as err:
        read_mapit_csv(path)
    assert err.value.param == f"{path}:2" and err.value.value == "1;2"
    path.write_text("0,1\n1,abc\n")
    with pytest.raises(InputError) as err:
        read_mapit_csv(path)
    assert err.value.param == f"{path}:2"
    path.write_text("0,abc\n1,2\n")                  # not a header: it has a number
    with pytest.raises(InputError) as err:
        read_mapit_csv(path)
    assert err.value.param == f"{path}:1"
    path.write_text("\n")
    with pytest.raises(InputError):
        read_mapit_csv(path)


def test_times_that_go_backwards_name_the_file(tmp_path):
    path = _write(tmp_path / "in0.csv", [0, 2, 1], [1, 1, 1])
    with pytest.raises(InputError) as err:
        mapit_point(path, "in0", "input")
    assert err.value.param == f"{path}.times_h[2]"


def test_folder_errors(tmp_path, mapit_folder):
    with pytest.raises(InputError):
        read_mapit_directory(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError):
        read_mapit_directory(tmp_path / "empty")
    with pytest.raises(InputError) as err:
        read_mapit_directory(mapit_folder, kinds={"in9": "items"})
    assert err.value.value == "in9"
    with pytest.raises(InputError):
        mapit_point(mapit_folder / "input" / "in0.csv", "x", "input", kind="pulse")
