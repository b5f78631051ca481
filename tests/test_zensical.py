"""The engine hedge: the same mkdocs.yml builds with Zensical (`build --engine zensical`),
strictly, into the --site-dir asked for, with the same pages as MkDocs."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, BuiltSite, make_project, run_cli

pytest.importorskip("zensical", reason="zensical is a dev dependency: run `make install`")

pytestmark = pytest.mark.slow


def build_with_zensical(tmp: Path, catalog: Path = FIXTURES / "catalog.yaml") -> BuiltSite:
    project = make_project(tmp)
    result = run_cli(
        "build",
        "--engine",
        "zensical",
        "--catalog",
        str(catalog),
        "--config",
        str(project / "mkdocs.yml"),
        "--docs-dir",
        str(project / "docs"),
        "--site-dir",
        str(project / "out" / "site"),
        "--lock",
        str(project / "no-lock.yaml"),
    )
    return BuiltSite(project, project / "out" / "site", result)


def pages(site: Path) -> set[str]:
    return {str(p.relative_to(site)) for p in site.rglob("index.html")}


def test_zensical_builds_the_site_like_mkdocs(tmp_path: Path, fixture_site: BuiltSite) -> None:
    built = build_with_zensical(tmp_path)
    assert built.result.code == 0, built.result.out + built.result.err
    assert (built.site / "index.html").is_file()
    assert (built.site / "api" / "catalog.json").is_file()
    assert fixture_site.result.code == 0, fixture_site.result.err
    assert pages(built.site) == pages(fixture_site.site)
    # The config written to set site_dir is removed again, and nothing lands in ./site.
    assert not list(built.root.glob(".zensical-*"))
    assert not (built.root / "site").exists()


def test_zensical_build_is_strict(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project / "docs" / "about.md").write_text(
        "# About\n\n[gone](missing-page.md)\n", encoding="utf-8"
    )
    result = run_cli(
        "build",
        "--engine",
        "zensical",
        "--catalog",
        str(FIXTURES / "catalog.yaml"),
        "--config",
        str(project / "mkdocs.yml"),
        "--docs-dir",
        str(project / "docs"),
        "--site-dir",
        str(project / "site"),
        "--lock",
        str(project / "no-lock.yaml"),
    )
    assert result.code == 1
    assert "zensical build failed" in result.err
    # Zensical colours its report character by character; the location stays plain.
    assert "page does not exist" in result.err
    assert "about.md:3:" in result.err
