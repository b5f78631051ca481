"""`make bench-build` at a tiny scale, so the benchmark cannot rot unnoticed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from generator.catalog import drift
from generator.catalog import source as yamlsource
from generator.catalog import validate as catalog_mod
from generator.catalog.schema import Component
from generator.score.scorecard import Scorer
from tests.conftest import FIXTURES, ROOT

sys.path.insert(0, str(ROOT / "bench"))
import bench_build


def test_a_scaled_catalog_is_valid_and_its_lock_agrees(tmp_path: Path) -> None:
    data = yaml.safe_load((FIXTURES / "catalog.yaml").read_text(encoding="utf-8"))
    scaled = bench_build.synthetic_catalog(data, 3)
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(scaled, sort_keys=False), encoding="utf-8")
    doc = yamlsource.read(path)
    loaded = catalog_mod.validate_document(doc)
    assert loaded.catalog is not None, [str(p) for p in loaded.errors]
    families = data["families"]
    assert len(loaded.catalog.families) == 3 * len(families)
    entries = [e.id for f in loaded.catalog.families for e in f.entries()]
    assert (
        len(entries)
        == len(set(entries))
        == 3 * sum(len(f.get("models", [])) + len(f.get("derivatives", [])) for f in families)
    )
    # every copy's base models are the copy's own
    for family in loaded.catalog.families:
        suffix = family.id.rpartition("-copy")[2] if "-copy" in family.id else None
        for entry in family.entries():
            if entry.base and suffix:
                assert entry.base.endswith(f"-copy{suffix}"), (family.id, entry.base)
    lock = bench_build.synthetic_lock(loaded.catalog, datetime(2026, 1, 2, tzinfo=UTC))
    assert set(lock.models) == set(entries)
    scores = Scorer(loaded.catalog).score_all()
    weights = {
        i: (c.components[Component.WEIGHTS].assessment.access, c.license_ids)
        for i, c in scores.items()
    }
    assert drift.problems(doc, loaded.catalog, lock, weights) == []


def test_a_subset_keeps_the_families_its_bases_need() -> None:
    data = yaml.safe_load((ROOT / "catalog.yaml").read_text(encoding="utf-8"))
    subset = bench_build.synthetic_catalog(data, 0.05)["families"]
    ids = {e["id"] for f in subset for e in [*f.get("models", []), *f.get("derivatives", [])]}
    bases = {
        e["base"]
        for f in subset
        for e in [*f.get("models", []), *f.get("derivatives", [])]
        if e.get("base")
    }
    assert 0 < len(subset) < len(data["families"])
    assert bases <= ids


@pytest.mark.slow
def test_the_benchmark_runs_at_a_tiny_scale(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "bench_build.py"),
            "--scales",
            "0.05",
            "--runs",
            "1",
            "--serve-scale",
            "0.05",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert re.search(r"^\s*0\.05x\s+\d+\s+\d+", proc.stdout, re.MULTILINE), proc.stdout
    assert "generator / mkdocs at 0.05x:" in proc.stdout
    [result] = json.loads(out.read_text(encoding="utf-8"))
    assert result["drift_warnings"] == 0
    assert result["largest_family_page"] >= result["median_family_page"] > 0
    assert result["site_bytes"] > result["largest_family_page"]
    # one family's summary changed: only its page is rewritten, not the whole site
    assert result["edit"]["written"] == 1
    assert len(result["mkdocs"]) == 1
    assert result["mkdocs"][0]["cpu"] > 0
