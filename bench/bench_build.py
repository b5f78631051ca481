"""`make bench-build`: how the build scales with the catalog (issue 9, point 6).

For each scale (default 1x, 10x and 50x the committed catalog) it writes, in a temporary
directory and never in the repository:

- a synthetic catalog: every family copied under new ids (families, models, fine-tunes,
  their evidence and sources; the copy's base models are the copy's own), or for a scale
  below 1 a subset of the families closed under their base models;
- a matching synthetic lock: one Hub entry per model, agreeing with the catalog (gating,
  license, base model, parameters), so `validate` reports no drift;
- a project (mkdocs.yml and the hand-written pages of docs/).

and measures, as the median of `--runs` runs (`--large-runs` at 50x and above):

- validate (read YAML with positions, schema and rules, the lock, drift) and score + render
  (score, render, write the generated files), in a child process, with its peak RSS;
- the full `python -m generator build` (the generator plus `mkdocs build --strict`);
- the bare `mkdocs build --strict` of the same Markdown: the floor;
- the largest and median family-page HTML and the total site size;
- at `--serve-scale` (10x): edit one family and re-render, as `make serve` does on a change:
  the time to re-render and write, and how many files changed on disk.

Times are wall clock and CPU (user + system of the child and its children); the ratios use
CPU time, which a busy machine disturbs far less than wall time. Nothing is asserted: the
figures are for people (see the closing table and README).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import pipeline
from generator.catalog import drift
from generator.catalog import lock as lock_mod
from generator.catalog import source as yamlsource
from generator.catalog import validate as catalog_mod
from generator.catalog.licenses import hub_ids
from generator.catalog.lock import HubEntry, Lock, OrgEntry
from generator.catalog.schema import Access, Catalog, Component
from generator.score.scorecard import Scorer
from generator.site import render, writer

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
STALE_DAYS = 7
EDIT_MARK = " Edited by the serve benchmark."

# Targets from the issue.
TARGET_GENERATOR_SHARE = 0.10
TARGET_10X = 11.0
TARGET_50X_10X = 5.5
TARGET_PAGE_GROWTH = 1.10


# --- synthetic inputs ---------------------------------------------------------------------


def _entry_ids(family: dict[str, Any]) -> list[str]:
    return [e["id"] for e in [*family.get("models", []), *family.get("derivatives", [])]]


def _closed_subset(families: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """The first families (in catalog order) until `count`, each with the families its base
    models come from, so every `base:` still resolves."""
    owner = {i: f["id"] for f in families for i in _entry_ids(f)}
    needs = {
        f["id"]: {
            owner[e["base"]]
            for e in [*f.get("models", []), *f.get("derivatives", [])]
            if e.get("base") in owner
        }
        for f in families
    }
    chosen: set[str] = set()

    def add(fid: str) -> None:
        if fid not in chosen:
            chosen.add(fid)
            for other in sorted(needs[fid]):
                add(other)

    for family in families:
        if len(chosen) >= count:
            break
        add(family["id"])
    return [f for f in families if f["id"] in chosen]


def _renamer(ids: Sequence[str], suffix: str) -> Callable[[Any], Any]:
    """Rename every catalog id inside any string (ids, bases, evidence and source URLs)."""
    pattern = re.compile(
        r"(?<![\w.-])(?:"
        + "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
        + r")(?![\w.-])"
    )

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(lambda m: m.group(0) + suffix, value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    return walk


def synthetic_catalog(data: dict[str, Any], scale: float) -> dict[str, Any]:
    """`data` (a parsed catalog.yaml) at `scale` times its number of families."""
    families: list[dict[str, Any]] = data["families"]
    wanted = max(1, round(len(families) * scale))
    if wanted <= len(families):
        return {**data, "families": _closed_subset(families, wanted)}
    ids = [i for f in families for i in _entry_ids(f)]
    out = list(families)
    copy = 0
    while len(out) < wanted:
        copy += 1
        rename = _renamer(ids, f"-copy{copy}")
        for family in families[: wanted - len(out)]:
            renamed = rename({k: v for k, v in family.items() if k not in ("id", "name")})
            out.append(
                {
                    "id": f"{family['id']}-copy{copy}",
                    "name": f"{family['name']} (copy {copy})",
                    **renamed,
                }
            )
    return {**data, "families": out}


def synthetic_lock(catalog: Catalog, synced: datetime) -> Lock:
    """A lock that agrees with `catalog`: what a sync of a consistent catalog would write."""
    scores = Scorer(catalog).score_all()
    gated = {Access.PUBLIC: False, Access.CLICK_THROUGH: "auto", Access.APPROVAL: "manual"}
    models: dict[str, HubEntry] = {}
    orgs: dict[str, OrgEntry] = {}
    for n, family in enumerate(catalog.families):
        for org in family.hub_orgs:
            orgs[org] = OrgEntry(fetched_at=synced, candidates=[f"{org}/unlisted-{n}"])
        for k, entry in enumerate(family.entries()):
            card = scores[entry.id]
            access = card.components[Component.WEIGHTS].assessment.access
            tags = [h for lic in card.license_ids for h in hub_ids(lic, catalog)]
            seed = (n * 7919 + k * 104729) % 1_000_003
            models[entry.id] = HubEntry(
                requested_id=entry.id,
                id=entry.id,
                fetched_at=synced - timedelta(days=seed % 30),
                downloads=seed * 37,
                downloads_all_time=seed * 911,
                likes=seed % 5000,
                created_at=synced - timedelta(days=200 + seed % 900),
                last_modified=synced - timedelta(days=seed % 200),
                sha=f"{seed:040x}",
                gated=gated.get(access) if access else None,
                disabled=False,
                private=False,
                pipeline_tag="text-generation",
                library_name="transformers",
                license=tags[0] if tags else None,
                license_tags=tags[:1],
                base_models=[entry.base] if entry.base else [],
                parameters=None if entry.params_b == "unknown" else round(entry.params_b * 1e9),
                context_length=None if entry.context_length == "unknown" else entry.context_length,
                children={"finetune": seed % 300, "quantized": seed % 90},
            )
    return Lock(synced_at=synced.date(), models=models, orgs=orgs)


@dataclass(frozen=True)
class Project:
    scale: float
    root: Path
    catalog: Path
    lock: Path
    config: Path
    docs: Path
    site: Path
    families: int
    entries: int


def make_project(base: Path, data: dict[str, Any], scale: float) -> Project:
    root = base / f"scale-{scale:g}"
    root.mkdir(parents=True)
    scaled = synthetic_catalog(data, scale)
    catalog = root / "catalog.yaml"
    catalog.write_text(
        yaml.dump(scaled, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=1000),
        encoding="utf-8",
    )
    parsed = Catalog.model_validate(scaled)  # the full validation is timed in the runs
    lock = root / "catalog.lock.yaml"
    lock_mod.write_lock(lock, synthetic_lock(parsed, datetime.now(UTC)))
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    generated = shutil.ignore_patterns(*writer.GENERATED_DIRS, *writer.GENERATED_FILES)
    shutil.copytree(ROOT / "docs", root / "docs", ignore=generated)
    entries = sum(len(f.entries()) for f in parsed.families)
    return Project(
        scale,
        root,
        catalog,
        lock,
        root / "mkdocs.yml",
        root / "docs",
        root / "site",
        len(parsed.families),
        entries,
    )


# --- measuring ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    peak_mb: float


def measure(cmd: list[str], cwd: Path = ROOT, timeout: float | None = None) -> tuple[Run, str]:
    """Run `cmd` to the end: its wall time, CPU time and peak RSS (its own and its reaped
    children's, from os.wait4), and its stdout. A failure stops the benchmark; past
    `timeout` seconds the child is killed and TimeoutError raised."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=ENV, stdout=out, stderr=err, start_new_session=True
        )
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if timeout is not None and time.perf_counter() - start > timeout:
                os.killpg(proc.pid, signal.SIGKILL)
                os.wait4(proc.pid, 0)
                proc.returncode = -9
                raise TimeoutError(f"{' '.join(cmd[:4])} ran over {timeout:g} s")
            time.sleep(0.05)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stdout}{stderr}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024), stdout


def stages_command(project: Project) -> list[str]:
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child-stages",
        str(project.catalog),
        str(project.lock),
        str(project.docs),
        str(project.config),
    ]


def child_stages(catalog_path: Path, lock_path: Path, docs: Path, config: Path) -> None:
    """In a fresh process: the pipeline's stages one by one, each timed (wall and CPU), as
    `pipeline.render_to` runs them. Prints one JSON object."""
    times: dict[str, list[float]] = {}

    def timed(name: str, fn: Callable[[], Any]) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        times[name] = [time.perf_counter() - wall, time.process_time() - cpu]
        return result

    writer.clean(docs)  # a cold build writes every file
    doc = timed("read", lambda: yamlsource.read(catalog_path))
    loaded = timed("validate", lambda: catalog_mod.validate_document(doc))
    lock = timed("lock", lambda: lock_mod.load_lock(lock_path))
    assert loaded.catalog is not None
    assert lock is not None
    scores = timed("score", lambda: Scorer(loaded.catalog).score_all())
    weights = {
        i: (c.components[Component.WEIGHTS].assessment.access, c.license_ids)
        for i, c in scores.items()
    }
    found = timed("drift", lambda: drift.problems(doc, loaded.catalog, lock, weights))
    changes = timed("changes", lambda: pipeline._changes(catalog_path))
    files = timed(
        "render",
        lambda: render.render_site(
            render.SiteData(
                loaded.catalog, scores, lock, STALE_DAYS, changes, pipeline.site_url(config)
            )
        ),
    )
    written = timed("write", lambda: writer.write_generated(docs, files))
    print(
        json.dumps(
            {
                "times": times,
                "files": len(files),
                "written": written,
                "drift": len(found),
                "errors": len(loaded.errors),
            }
        )
    )


def child_edit(catalog_path: Path, lock_path: Path, docs: Path, config: Path) -> None:
    """In a fresh process (imports warm, as in the `serve` loop): re-render after one
    family's summary changed, exactly as `pipeline.serve` does."""
    text = catalog_path.read_text(encoding="utf-8")
    match = re.search(r"^  summary: (.*)$", text, re.MULTILINE)
    assert match is not None
    edited = text[: match.end(1)] + EDIT_MARK + text[match.end(1) :]
    catalog_path.write_text(edited, encoding="utf-8")
    wall, cpu = time.perf_counter(), time.process_time()
    written = pipeline.render_to(catalog_path, lock_path, docs, STALE_DAYS, config)
    print(
        json.dumps(
            {
                "wall": time.perf_counter() - wall,
                "cpu": time.process_time() - cpu,
                "written": written,
            }
        )
    )
    catalog_path.write_text(text, encoding="utf-8")


def build_command(project: Project) -> list[str]:
    return [
        sys.executable,
        "-m",
        "generator",
        "build",
        "--catalog",
        str(project.catalog),
        "--lock",
        str(project.lock),
        "--config",
        str(project.config),
        "--docs-dir",
        str(project.docs),
        "--site-dir",
        str(project.site),
    ]


def mkdocs_command(project: Project) -> list[str]:
    return [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--strict",
        "--quiet",
        "--config-file",
        str(project.config),
        "--site-dir",
        str(project.site),
    ]


@dataclass(frozen=True)
class Options:
    full: bool  # also time `python -m generator build` end to end
    timeout: float | None  # a bare mkdocs build longer than this is stopped
    serve_scale: float


@dataclass
class Result:
    project: Project
    runs: int
    validate: list[float] = field(default_factory=list)  # CPU seconds
    score_render: list[float] = field(default_factory=list)
    generator_wall: list[float] = field(default_factory=list)
    generator_peak: list[float] = field(default_factory=list)
    build: list[Run] = field(default_factory=list)
    mkdocs: list[Run] = field(default_factory=list)
    files: int = 0
    drift: int = 0
    largest_md: int = 0  # the generated Markdown of the largest family page
    largest_page: int = 0
    median_page: int = 0
    site_bytes: int = 0
    edit: dict[str, float] | None = None
    mkdocs_timed_out: bool = False
    timeout_wall: float = 0.0

    @property
    def generator(self) -> float:
        """Median CPU seconds of validate + score + render."""
        return statistics.median(
            v + s for v, s in zip(self.validate, self.score_render, strict=True)
        )


def _cpu(times: dict[str, list[float]], *names: str) -> float:
    return sum(times[n][1] for n in names)


def _wall(times: dict[str, list[float]]) -> float:
    return sum(t[0] for t in times.values())


def family_pages(site: Path) -> list[int]:
    return sorted(p.stat().st_size for p in (site / "families").glob("*/index.html"))


def bench_scale(
    project: Project, runs: int, options: Options, log: Callable[[str], None]
) -> Result:
    result = Result(project, runs)
    for n in range(runs):
        step = f"  {project.scale:g}x run {n + 1}/{runs}"
        log(f"{step}: generator stages")
        run, out = measure(stages_command(project))
        report = json.loads(out)
        if report["errors"]:
            raise SystemExit(
                f"the synthetic catalog at {project.scale:g}x has "
                f"{report['errors']} validation error(s)"
            )
        times = report["times"]
        result.validate.append(_cpu(times, "read", "validate", "lock", "drift"))
        result.score_render.append(_cpu(times, "score", "changes", "render", "write"))
        result.generator_wall.append(_wall(times))
        result.generator_peak.append(run.peak_mb)
        result.files, result.drift = report["files"], report["drift"]
        result.largest_md = max(
            p.stat().st_size
            for p in (project.docs / "families").glob("*.md")
            if p.name != "index.md"
        )
        if options.full:
            log(f"{step}: python -m generator build (generator + mkdocs)")
            shutil.rmtree(project.site, ignore_errors=True)
            result.build.append(measure(build_command(project), timeout=options.timeout)[0])
        log(f"{step}: bare mkdocs build")
        shutil.rmtree(project.site, ignore_errors=True)
        try:
            result.mkdocs.append(measure(mkdocs_command(project), timeout=options.timeout)[0])
        except TimeoutError as exc:
            log(f"{step}: {exc}; no more runs at this scale")
            result.mkdocs_timed_out = True
            result.timeout_wall = options.timeout or 0.0
            break
    if not result.mkdocs_timed_out:
        pages = family_pages(project.site)
        result.largest_page = pages[-1] if pages else 0
        result.median_page = int(statistics.median(pages)) if pages else 0
        result.site_bytes = sum(p.stat().st_size for p in project.site.rglob("*") if p.is_file())
    if project.scale == options.serve_scale:
        log(f"  {project.scale:g}x: edit one family and re-render (serve)")
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child-edit",
            str(project.catalog),
            str(project.lock),
            str(project.docs),
            str(project.config),
        ]
        result.edit = json.loads(measure(cmd)[1])
    return result


# --- report -------------------------------------------------------------------------------


def _med(values: Sequence[float]) -> float:
    return statistics.median(values)


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def _mkdocs_cpu(r: Result) -> float | None:
    return _med([m.cpu for m in r.mkdocs]) if r.mkdocs and not r.mkdocs_timed_out else None


def _cell(r: Result, runs: list[Run]) -> str:
    if r.mkdocs_timed_out and runs is r.mkdocs:
        return f"> {r.timeout_wall:.0f} wall"
    if not runs:
        return "-"
    return f"{_med([x.cpu for x in runs]):.1f} ({_med([x.wall for x in runs]):.0f})"


def table(results: Sequence[Result]) -> str:
    head = (
        "scale",
        "families",
        "entries",
        "files",
        "runs",
        "validate",
        "score+render",
        "generator",
        "mkdocs (floor)",
        "build (full)",
        "gen peak",
        "mkdocs peak",
        "largest fam .md",
        "largest fam",
        "median fam",
        "site",
    )
    rows = [head]
    for r in results:
        p = r.project
        finished = not r.mkdocs_timed_out
        rows.append(
            (
                f"{p.scale:g}x",
                str(p.families),
                str(p.entries),
                str(r.files),
                str(r.runs),
                f"{_med(r.validate):.2f}",
                f"{_med(r.score_render):.2f}",
                f"{r.generator:.2f}",
                _cell(r, r.mkdocs),
                _cell(r, r.build),
                f"{_med(r.generator_peak):.0f} MB",
                f"{max(m.peak_mb for m in r.mkdocs):.0f} MB" if finished and r.mkdocs else "-",
                _mb(r.largest_md),
                _mb(r.largest_page) if finished else "-",
                _mb(r.median_page) if finished else "-",
                _mb(r.site_bytes) if finished else "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _verdict(ok: bool) -> str:
    return "holds" if ok else "MISSED"


def ratios(results: Sequence[Result]) -> list[str]:
    drifts = ", ".join(f"{r.project.scale:g}x {r.drift}" for r in results)
    out = [f"drift warnings (the synthetic lock agrees with its catalog): {drifts}"]
    by_scale = {r.project.scale: r for r in results}
    for r in results:
        floor = _mkdocs_cpu(r)
        if floor is None:
            out.append(f"generator / mkdocs at {r.project.scale:g}x: mkdocs did not finish")
            continue
        share = r.generator / floor
        out.append(
            f"generator / mkdocs at {r.project.scale:g}x: {share:.0%} "
            f"(target <= {TARGET_GENERATOR_SHARE:.0%}: "
            f"{_verdict(share <= TARGET_GENERATOR_SHARE)})"
        )

    def step(lo: float, hi: float, target: float) -> None:
        a, b = by_scale.get(lo), by_scale.get(hi)
        if a is None or b is None:
            return
        for name, get in (
            ("generator", lambda r: r.generator),
            ("mkdocs (floor)", _mkdocs_cpu),
            ("generator + mkdocs", _total),
        ):
            low, high = get(a), get(b)
            if low is None or high is None:
                out.append(
                    f"{name} time {hi:g}x / {lo:g}x: mkdocs did not finish at "
                    f"{hi if high is None else lo:g}x"
                )
                continue
            ratio = high / low
            out.append(
                f"{name} time {hi:g}x / {lo:g}x: {ratio:.1f}x "
                f"(target <= {target:g}x: {_verdict(ratio <= target)})"
            )

    step(1, 10, TARGET_10X)
    step(10, 50, TARGET_50X_10X)
    small, large = by_scale.get(1), by_scale.get(50)
    if small is not None and large is not None and small.largest_page and large.largest_page:
        growth = large.largest_page / small.largest_page
        out.append(
            f"largest family page 50x / 1x: {growth:.3f} (target <= "
            f"{TARGET_PAGE_GROWTH:.2f}: {_verdict(growth <= TARGET_PAGE_GROWTH)})"
        )
    if small is not None and large is not None and small.largest_md:
        growth = large.largest_md / small.largest_md
        out.append(
            f"largest family page's Markdown 50x / 1x: {growth:.3f} (target <= "
            f"{TARGET_PAGE_GROWTH:.2f}: {_verdict(growth <= TARGET_PAGE_GROWTH)})"
        )
    for r in results:
        if r.edit is not None:
            reload = f"~{_med([m.wall for m in r.mkdocs]):.0f} s wall" if r.mkdocs else "n/a"
            out.append(
                f"serve at {r.project.scale:g}x, one family edited: re-render + write "
                f"{r.edit['wall']:.1f} s wall ({r.edit['cpu']:.1f} s CPU); "
                f"{int(r.edit['written'])} of {r.files} generated files rewritten; "
                f"MkDocs' reload then rebuilds the whole site (the floor, {reload})"
            )
    return out


def _total(r: Result) -> float | None:
    floor = _mkdocs_cpu(r)
    return None if floor is None else r.generator + floor


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--scales",
        type=float,
        nargs="+",
        default=[1, 10, 50],
        help="catalog sizes as multiples of catalog.yaml (default: 1 10 50)",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per scale (default: 3)")
    parser.add_argument(
        "--large-runs", type=int, default=1, help="runs at --large-from and above (default: 1)"
    )
    parser.add_argument(
        "--large-from",
        type=float,
        default=50,
        help="the scale from which --large-runs applies (default: 50)",
    )
    parser.add_argument(
        "--serve-scale",
        type=float,
        default=10,
        help="the scale of the serve edit measurement (default: 10; 0: none)",
    )
    parser.add_argument(
        "--catalog",
        type=Path,
        default=ROOT / "catalog.yaml",
        help="the catalog to scale (default: the committed one)",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="also time `python -m generator build` end to end (slower)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="stop a bare mkdocs build after this many seconds (default: none)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here as JSON")
    parser.add_argument("--child-stages", nargs=4, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-edit", nargs=4, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_stages:
        child_stages(*args.child_stages)
        return 0
    if args.child_edit:
        child_edit(*args.child_edit)
        return 0

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    data = yaml.load(args.catalog.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    options = Options(args.full, args.timeout, args.serve_scale)
    results = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="atlas-bench-") as tmp:
        for scale in args.scales:
            log(f"{scale:g}x: writing the synthetic catalog, lock and project")
            project = make_project(Path(tmp), data, scale)
            runs = args.large_runs if scale >= args.large_from else args.runs
            results.append(bench_scale(project, runs, options, log))
            log(table(results))  # so far: a long run's early scales are not lost
            shutil.rmtree(project.root)  # 50x is ~1 GB of site
    print("Build benchmark: CPU seconds, median of the runs (wall seconds in brackets)")
    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end; "
        f"{time.perf_counter() - started:.0f} s in all"
    )
    print(table(results))
    print()
    for line in ratios(results):
        print(line)
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "scale": r.project.scale,
                        "families": r.project.families,
                        "entries": r.project.entries,
                        "runs": r.runs,
                        "files": r.files,
                        "drift_warnings": r.drift,
                        "validate_cpu": r.validate,
                        "score_render_cpu": r.score_render,
                        "generator_wall": r.generator_wall,
                        "generator_peak_mb": r.generator_peak,
                        "build": [vars(b) for b in r.build],
                        "mkdocs": [vars(m) for m in r.mkdocs],
                        "largest_family_page": r.largest_page,
                        "largest_family_md": r.largest_md,
                        "median_family_page": r.median_page,
                        "site_bytes": r.site_bytes,
                        "edit": r.edit,
                        "mkdocs_timed_out": r.mkdocs_timed_out,
                    }
                    for r in results
                ],
                indent=2,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
