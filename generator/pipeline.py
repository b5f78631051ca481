"""The stages wired together: load + validate -> score -> render -> write -> site engine.

Only this module and `writer` touch the disk for the build; scoring and rendering are
pure functions of the loaded data.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from generator.catalog import drift
from generator.catalog import lock as lock_mod
from generator.catalog import opinions as opinions_mod
from generator.catalog import source as yamlsource
from generator.catalog import validate as catalog_mod
from generator.catalog.lock import Lock
from generator.catalog.schema import Catalog, Component
from generator.catalog.source import Problem
from generator.errors import GeneratorError
from generator.score import diff as score_diff
from generator.score import report
from generator.score.scorecard import Scorecard, Scorer
from generator.site import changelog, render, writer


@dataclass(frozen=True)
class Checked:
    catalog: Catalog | None
    lock: Lock | None
    problems: list[Problem]
    scores: dict[str, Scorecard] | None = None  # computed once, for drift and for the pages

    @property
    def summary(self) -> str:
        if self.catalog is None:
            return "not loaded"
        families = len(self.catalog.families)
        models = sum(len(f.models) for f in self.catalog.families)
        derivs = sum(len(f.derivatives) for f in self.catalog.families)
        return f"{families} families, {models} models, {derivs} fine-tunes"


def check(catalog_path: Path, lock_path: Path) -> Checked:
    """Load and validate the catalog, score it, then compare it with the lock (drift warnings)."""
    doc = yamlsource.read(catalog_path)
    loaded = catalog_mod.validate_document(doc)
    problems = list(loaded.problems)
    lock = None
    try:
        lock = lock_mod.load_lock(lock_path)
    except lock_mod.LockError as exc:  # the pages then say "not yet synced": a warning
        problems.extend(
            replace(p, level="warning", message=f"{p.message}; building from the catalog alone")
            for p in exc.problems
        )
    except GeneratorError as exc:
        problems.append(Problem(str(lock_path), 1, 1, "", str(exc), "warning"))
    if loaded.catalog is None:
        return Checked(None, lock, problems)
    scores = Scorer(loaded.catalog).score_all()
    # issue 15: aliases and reviewed notes of opinions/ must name catalog models
    problems.extend(opinions_mod.validate(catalog_path, loaded.catalog))
    if lock is not None:
        weights = {
            model_id: (card.components[Component.WEIGHTS].assessment.access, card.license_ids)
            for model_id, card in scores.items()
        }
        problems.extend(drift.problems(doc, loaded.catalog, lock, weights))
    return Checked(loaded.catalog, lock, problems, scores)


def load_or_fail(catalog_path: Path) -> Catalog:
    loaded = catalog_mod.load(catalog_path)
    for problem in loaded.problems:
        print(problem, file=sys.stderr)
    if loaded.catalog is None:
        raise GeneratorError(
            f"{catalog_path} is invalid ({len(loaded.errors)} error(s)); "
            f"run `python -m generator validate --catalog {catalog_path}`"
        )
    return loaded.catalog


class _MkDocsLoader(yaml.SafeLoader):
    """mkdocs.yml may carry `!!python/name:` and `!ENV` tags: read them as plain values."""


_MkDocsLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def site_url(config: Path) -> str:
    """The published site's address from the parsed mkdocs.yml (for badge snippets, the feed)."""
    try:
        data = yaml.load(config.read_text(encoding="utf-8"), Loader=_MkDocsLoader)
    except (OSError, yaml.YAMLError):
        return ""
    url = data.get("site_url") if isinstance(data, dict) else None
    if not isinstance(url, str) or not url:
        return ""
    return url if url.endswith("/") else url + "/"


def render_to(
    catalog_path: Path,
    lock_path: Path,
    docs_dir: Path,
    stale_days: int,
    config: Path = Path("mkdocs.yml"),
) -> int:
    """Validate, score and render every generated page; returns the number of files that
    changed on disk (unchanged files are not rewritten)."""
    checked = check(catalog_path, lock_path)
    for problem in checked.problems:
        print(problem, file=sys.stderr)
    if checked.catalog is None or checked.scores is None:
        errors = sum(1 for p in checked.problems if p.level == "error")
        raise GeneratorError(f"{catalog_path} is invalid ({errors} error(s)); nothing was built")
    scores = checked.scores
    files = render.render_site(
        render.SiteData(
            checked.catalog,
            scores,
            checked.lock,
            stale_days,
            _changes(catalog_path),
            site_url(config),
            opinions_mod.load_beside(catalog_path, lock_path, checked.catalog),
        )
    )
    return writer.write_generated(docs_dir, files)


def _changes(catalog_path: Path) -> tuple[changelog.Entry, ...]:
    """Nightly sync summaries (changes/*.md) and the catalog's git history, newest first."""
    root = catalog_path.resolve().parent
    entries = [
        *changelog.load_entries(root / "changes"),
        *changelog.catalog_history(
            root, catalog_path.name, cache_dir=root / ".cache" / "changelog"
        ),
    ]
    return tuple(changelog.newest_first(entries))


def _engine_command(engine: str, config: Path, site_dir: Path) -> list[str]:
    if engine == "zensical":
        # Zensical has no --site-dir option; `config` is then a _zensical_config().
        return [sys.executable, "-m", "zensical", "build", "--strict", "--config-file", str(config)]
    return [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--strict",
        "--config-file",
        str(config),
        "--site-dir",
        str(site_dir),
    ]


def _zensical_config(config: Path, site_dir: Path) -> Path:
    """A config beside mkdocs.yml that INHERITs it and sets site_dir (Zensical reads
    site_dir from the config only, and it must lie inside the config's directory)."""
    derived = config.with_name(f".zensical-{config.name}")
    target = json.dumps(str(site_dir.resolve()))  # a JSON string is a YAML string
    derived.write_text(f"INHERIT: {config.name}\nsite_dir: {target}\n", encoding="utf-8")
    return derived


def run_engine(engine: str, config: Path, site_dir: Path) -> None:
    """Run the static site engine; a warning in strict mode fails the build."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
    used = _zensical_config(config, site_dir) if engine == "zensical" else config
    try:
        proc = subprocess.run(
            _engine_command(engine, used, site_dir),
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    finally:
        if used != config:
            used.unlink(missing_ok=True)
    if proc.returncode != 0:
        raise GeneratorError(f"{engine} build failed:\n{proc.stdout}{proc.stderr}".rstrip())


def serve(
    catalog_path: Path,
    lock_path: Path,
    docs_dir: Path,
    stale_days: int,
    config: Path,
    dev_addr: str,
    poll_seconds: float = 1.0,
) -> int:
    """`mkdocs serve` with live reload, re-rendering the pages whenever the catalog or the
    lock changes (MkDocs itself only watches docs/); a broken catalog is reported, and the
    last good pages stay up until it is fixed."""
    cmd = [
        sys.executable,
        "-m",
        "mkdocs",
        "serve",
        "--config-file",
        str(config),
        "--dev-addr",
        dev_addr,
    ]
    proc = subprocess.Popen(cmd)
    seen = _stamps(catalog_path, lock_path)
    signal.signal(signal.SIGTERM, _interrupt)  # stop the MkDocs server with us
    try:
        while proc.poll() is None:
            time.sleep(poll_seconds)
            now = _stamps(catalog_path, lock_path)
            if now == seen:
                continue
            seen = now
            try:
                written = render_to(catalog_path, lock_path, docs_dir, stale_days, config)
            except GeneratorError as exc:
                print(f"error: {exc}", file=sys.stderr)
            else:
                print(
                    f"{catalog_path} changed: re-rendered, {written} files changed", file=sys.stderr
                )
    except KeyboardInterrupt:
        proc.terminate()
    return proc.wait()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stamps(*paths: Path) -> tuple[float | None, ...]:
    return tuple(p.stat().st_mtime if p.exists() else None for p in paths)


def diff_markdown(base_path: Path, head_path: Path) -> str:
    """What a change from the base catalog to this one does to the scorecards, in Markdown."""
    base = catalog_mod.load(base_path).catalog
    head = load_or_fail(head_path)
    return score_diff.markdown(score_diff.diff(base, head))


def coverage_markdown(catalog_path: Path, lock_path: Path) -> str:
    checked = check(catalog_path, lock_path)
    if checked.catalog is None:
        raise GeneratorError(
            f"{catalog_path}: {sum(p.level == 'error' for p in checked.problems)}"
            " rule violation(s): run `python -m generator validate`"
        )
    return report.coverage(checked.catalog, problems=len(checked.problems))
