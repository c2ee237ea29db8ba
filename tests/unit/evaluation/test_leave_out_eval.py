"""scripts/leave_out_eval.py: the end-to-end leave-out runs on seen data and refuses the rest."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from services.cli import main

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "leave_out_eval.py"


def _generate(out: Path, held_out_rate: float, clients: int = 120, vacancies: int = 12,
              seed: int = 5) -> Path:
    result = CliRunner().invoke(main, ["evaluate", "generate", "--out", str(out), "--clients",
                                       str(clients), "--vacancies", str(vacancies), "--seed",
                                       str(seed), "--held-out-rate", str(held_out_rate)])
    assert result.exit_code == 0, result.output
    return out


def _run(data: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), "--data", str(data), *extra],
                          capture_output=True, text=True, timeout=300, check=False)


def test_refuses_a_set_with_held_out_records(tmp_path: Path) -> None:
    done = _run(_generate(tmp_path / "mixed", 0.5))
    assert done.returncode == 2
    assert "held-out records" in done.stderr
    assert "precision" not in done.stdout  # nothing was scored


def test_scores_every_fold_and_their_mean(tmp_path: Path) -> None:
    done = _run(_generate(tmp_path / "seen", 0.0), "--folds", "2")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "every alias", "fold 1/2", "fold 2/2", "leave-out mean"]
    assert all(" violations 0 " in line for line in lines), done.stdout


def _script_module() -> ModuleType:
    sys.path[:0] = [str(SCRIPT.parent), str(ROOT)]
    try:
        spec = importlib.util.spec_from_file_location("leave_out_eval", SCRIPT)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        del sys.path[:2]


def test_keep_one_hides_every_share_but_the_folds_own() -> None:
    hidden_share = _script_module().hidden_share
    folds = [["a", "b"], ["c"], ["d", "e"]]
    assert hidden_share(folds, 1, False) == ["c"]
    assert hidden_share(folds, 1, True) == ["a", "b", "d", "e"]
    assert hidden_share(folds, 0, True) == ["c", "d", "e"]


def test_keep_one_runs_and_names_its_mean(tmp_path: Path) -> None:
    done = _run(_generate(tmp_path / "seen", 0.0), "--folds", "3", "--keep-one")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "every alias", "fold 1/3", "fold 2/3", "fold 3/3", "keep-one mean"]


@pytest.mark.slow
def test_unseen_wordings_keep_their_recall(tmp_path: Path) -> None:
    """A floor under the matcher on wordings its dictionaries lack (four fifths hidden). On this
    set the weak reading (SkillFeature.near) lifts recall from 0.505 to 0.629 at precision
    0.995; the floor sits between, so losing it, or a change as costly, fails here."""
    done = _run(_generate(tmp_path / "seen", 0.0, clients=800, vacancies=80, seed=3),
                "--keep-one")
    assert done.returncode == 0, done.stderr
    mean = re.search(r"keep-one mean: precision ([\d.]+) recall ([\d.]+) violations (\d+)",
                     done.stdout)
    assert mean is not None, done.stdout
    precision, recall, violations = float(mean[1]), float(mean[2]), int(mean[3])
    assert violations == 0
    assert precision >= 0.97, done.stdout
    assert recall >= 0.58, done.stdout
