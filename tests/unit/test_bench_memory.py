"""The load benchmarks' memory verdicts (bench/bench_pipeline_load.py): the slope of the last
third tells a warm-up that levels off from memory that keeps growing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from bench_pipeline_load import _slope_mb_per_min, print_memory_table


def _samples(rss_mib: list[float], step_s: float = 15.0) -> list[tuple[float, str, dict[str, int]]]:
    return [(i * step_s, "load", {"w": int(m * 1024)}) for i, m in enumerate(rss_mib)]


def test_slope_of_steady_growth() -> None:
    points = [(t * 60.0, int(100 * 1024 + t * 1e6 / 1024)) for t in range(10)]  # +1 MB/min
    assert _slope_mb_per_min(points) == pytest.approx(1.0, rel=1e-3)


def test_slope_of_one_point_or_no_time_is_zero() -> None:
    assert _slope_mb_per_min([(0.0, 5)]) == 0.0
    assert _slope_mb_per_min([(3.0, 5), (3.0, 9)]) == 0.0


def test_warm_up_then_plateau_fails_the_thirds_but_shows_a_flat_slope(
        capsys: pytest.CaptureFixture[str]) -> None:
    warm_then_flat = [100 + 30 * i for i in range(10)] + [400.0] * 20
    print_memory_table(["w"], _samples(warm_then_flat))
    row = capsys.readouterr().out.splitlines()[-1]
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[4] == "NO"  # the first third holds the warm-up
    assert cells[5] == "+0.00"  # but the last third is flat


def test_growth_in_the_last_third_shows_in_the_slope(capsys: pytest.CaptureFixture[str]) -> None:
    print_memory_table(["w"], _samples([100.0 + 2 * i for i in range(30)]))
    cells = [c.strip() for c in capsys.readouterr().out.splitlines()[-1].strip("|").split("|")]
    assert float(cells[5]) > 7  # 2 MiB per 15 s is ~8.4 MB/min
