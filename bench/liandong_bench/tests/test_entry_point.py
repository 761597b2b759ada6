"""``liandong gen-data`` runs under the bench app's settings from a source checkout, and says
what it is anywhere else."""

import os
import sys
from pathlib import Path

import pytest

from liandong import __main__ as entry_point


def test_outside_a_source_checkout_gen_data_says_it_is_a_development_tool(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(entry_point, "BENCH_DIR", tmp_path / "bench")
    monkeypatch.setattr(sys, "argv", ["liandong", "gen-data", "--scale", "0.001"])
    with pytest.raises(SystemExit) as exited:
        entry_point.main()
    assert exited.value.code == entry_point.NO_GEN_DATA
    assert "gen-data is a development tool of the source checkout" in entry_point.NO_GEN_DATA


def test_in_a_source_checkout_gen_data_gets_the_bench_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "liandong.settings.base")
    assert (entry_point.BENCH_DIR / "liandong_bench" / "settings.py").is_file()
    assert entry_point._use_bench_settings()
    assert sys.path[0] == str(entry_point.BENCH_DIR)
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "liandong_bench.settings"
