"""benchmarks/explorer.py reports every key the issues ask for (times are never asserted)."""

import importlib.util
import json
from pathlib import Path

import pytest

from course_utils.threads import chosen_thread_count

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "explorer.py"
KEYS = {"plain_training_s", "train_s", "train_best_s", "flop_floor_s", "train_over_floor",
        "sweep_s", "loop_s", "sweep_points", "fresh_update_s", "fresh_drawing_s",
        "first_feedback_s", "cached_update_s", "pin_update_s"}
SIGNED = {"fresh_over_plain_s"}  # a difference of two timings: noise can make it negative


@pytest.fixture
def benchmark(monkeypatch):
    spec = importlib.util.spec_from_file_location("benchmark_explorer", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "EXPLORER_GRID", (1e-4, 1e-2))  # a quick grid for the test
    return module


def test_json_has_every_key(benchmark, monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["explorer.py", "--json", "--repeats", "1"])
    benchmark.main()
    figures = json.loads(capsys.readouterr().out)
    assert KEYS | SIGNED <= set(figures)
    assert figures["sweep_points"] == 2
    assert figures["threads"] == chosen_thread_count()[0]  # the course's thread rule
    assert all(figures[key] > 0 for key in KEYS)


def test_readable_output_names_the_targets(benchmark, monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["explorer.py", "--repeats", "1"])
    benchmark.main()
    text = capsys.readouterr().out
    assert "seed loop, 500 steps" in text and "x the seed loop" in text
    assert "target: <= 100 ms" in text and "target: <= 50 ms" in text
    assert "train_s / flop_floor_s" in text


def test_the_flop_count_of_the_running_example_is_13_gflop(benchmark):
    assert benchmark.running_example_flop() == 500 * (4 * 64 * 1000 * 100 + 6 * 64 * 100 * 10)
