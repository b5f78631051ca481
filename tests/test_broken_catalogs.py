"""Broken and hostile catalogs: `validate` exits 1 with the file and line, never a traceback,
and within stated time and memory, for every file in tests/broken/ and for the large cases
generated here at test time (a 50 MB file, lists and mappings nested 5,000 deep).

Each corpus file starts with `# expect: LINE: TEXT`: the line a report must name and a
piece of its message. Every case runs the CLI's `validate` in its own process under resource
limits (address space and CPU), so a hang or a memory blow-up fails the case instead of the
machine. The cases too big to commit run as `python -m generator validate`; the corpus runs
the same `generator.cli.main` in children forked from one process that imported it once
(starting an interpreter per file would take the suite a minute and a half).
"""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.catalog import source
from tests.conftest import ROOT

BROKEN = ROOT / "tests" / "broken"
CORPUS = sorted(BROKEN.glob("*.yaml"))
WALL_SECONDS = 30.0  # per case, measured: a case that runs longer fails
CPU_SECONDS = 20  # RLIMIT_CPU of each validate process
MEMORY_BYTES = 1024 * 2**20  # RLIMIT_AS of each validate process (Python + pydantic ~ 300 MB)
PEAK_RSS_KB = 400 * 1024  # what a case may really use (ru_maxrss)
_EXPECT = re.compile(r"^# expect: (\d+): (.+)$")


@dataclass(frozen=True)
class Case:
    path: Path
    line: int
    text: str


@dataclass(frozen=True)
class Outcome:
    code: int
    err: str
    seconds: float
    max_rss_kb: int


def expectation(path: Path) -> Case:
    first = path.read_bytes().removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    match = _EXPECT.match(first.decode("utf-8", "replace").rstrip("\r"))
    assert match, f"{path.name}: the first line must be '# expect: LINE: TEXT'"
    return Case(path, int(match.group(1)), match.group(2))


# `python -m generator ARGS`, after the child has limited itself
LIMITED_MAIN = (
    "import runpy, sys; from tests.test_broken_catalogs import _limits; _limits(); "
    "sys.argv[0] = 'generator'; runpy.run_module('generator', run_name='__main__')"
)


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def _wait(pid: int, started: float) -> tuple[int, int]:
    """Reap one child (killed after WALL_SECONDS): its exit code and peak RSS in KB."""
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), usage.ru_maxrss
        if time.monotonic() - started > WALL_SECONDS:
            os.kill(pid, signal.SIGKILL)
            _done, status, usage = os.wait4(pid, 0)
            return os.waitstatus_to_exitcode(status), usage.ru_maxrss
        time.sleep(0.01)


def run_validate(path: Path) -> Outcome:
    """`python -m generator validate` on one file in a limited child process (`-c` sets the
    limits, then runs the package's __main__ as `-m` does)."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(  # the limits are set by the child itself (no preexec_fn)
            [
                sys.executable,
                "-c",
                LIMITED_MAIN,
                "validate",
                "--catalog",
                str(path),
                "--lock",
                str(path.with_name("no-such.lock.yaml")),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        code, rss = _wait(proc.pid, started)
        proc.returncode = code  # reaped by os.wait4 (for its rusage), not by Popen
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    return Outcome(code, text, time.monotonic() - started, rss)


def fork_validate(paths: list[str]) -> None:
    """Run in a child interpreter: for each path fork, limit, run `cli.main(["validate",
    ...])` as `python -m generator` would (an uncaught exception prints its traceback and
    exits 1), and print one JSON line of what happened."""
    from generator import cli, pipeline  # imported once, before the forks

    assert pipeline.check  # what `validate` runs

    for path in paths:
        started = time.monotonic()
        with tempfile.TemporaryFile() as err:
            pid = os.fork()
            if pid == 0:  # the child
                os.dup2(err.fileno(), 2)
                os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
                _limits()
                try:
                    code = cli.main(
                        [
                            "validate",
                            "--catalog",
                            path,
                            "--lock",
                            str(Path(path).with_name("no-such.lock.yaml")),
                        ]
                    )
                except BaseException:  # noqa: BLE001  as the interpreter would: a traceback
                    traceback.print_exc()
                    code = 1
                sys.stderr.flush()
                os._exit(code)
            code, rss = _wait(pid, started)
            err.seek(0)
            text = err.read().decode("utf-8", "replace")
        print(
            json.dumps(
                {
                    "path": path,
                    "code": code,
                    "seconds": time.monotonic() - started,
                    "rss": rss,
                    "err": text,
                }
            ),
            flush=True,
        )


def run_forked(paths: list[Path]) -> dict[str, Outcome]:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "import sys; from tests.test_broken_catalogs import "
                "fork_validate; fork_validate(sys.argv[1:])"
            ),
            *map(str, paths),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=WALL_SECONDS * len(paths),
        check=True,
    )
    out = {}
    for line in proc.stdout.splitlines():
        rec = json.loads(line)
        out[rec["path"]] = Outcome(rec["code"], rec["err"], rec["seconds"], rec["rss"])
    return out


def generated(tmp: Path) -> list[Case]:
    """The cases too big to commit, written at test time."""
    model = (
        "      - id: demo/Demo-{i}B\n        name: Demo {i}B\n        kind: base\n"
        "        released: 2024-01-01\n        params_b: 1\n        context_length: 2048\n"
        "        sources: [https://example.org/demo]\n"
    )
    head = (
        "families:\n  - id: demo\n    name: Demo\n    organization: Demo Lab\n"
        "    summary: A demo family.\n    models:\n"
    )
    big = tmp / "fifty-megabytes.yaml"
    with big.open("w", encoding="utf-8") as handle:
        handle.write(head)
        i = 0
        while handle.tell() < 50 * 2**20:
            handle.write("".join(model.format(i=i + k) for k in range(1000)))
            i += 1000
    cases = [Case(big, 1, "larger than 4 MiB")]
    flow = tmp / "nested-lists-5000.yaml"
    flow.write_text("families: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    cases.append(Case(flow, 1, f"nesting deeper than {source.MAX_DEPTH} levels"))
    maps = tmp / "nested-mappings-5000.yaml"
    maps.write_text("families: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n", encoding="utf-8")
    cases.append(Case(maps, 1, "nesting deeper than"))
    block = tmp / "nested-block-300.yaml"
    block.write_text(
        "families:\n" + "".join(" " * (i + 1) + "-\n" for i in range(300)), encoding="utf-8"
    )
    cases.append(Case(block, source.MAX_DEPTH + 1, "nesting deeper than"))
    wide = tmp / "many-aliases.yaml"
    wide.write_text(
        "x: &x [" + ", ".join(["1"] * 1000) + "]\nfamilies: [" + ", ".join(["*x"] * 1000) + "]\n",
        encoding="utf-8",
    )
    cases.append(Case(wide, 1, "once its aliases (*name) are expanded"))
    return cases


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Case, Outcome]]:
    corpus = [expectation(p) for p in CORPUS]
    big = generated(tmp_path_factory.mktemp("broken"))
    workers = max(2, os.cpu_count() or 2)
    shares = [CORPUS[i::workers] for i in range(workers)]
    with ThreadPoolExecutor(max_workers=workers + 1) as pool:
        forked = pool.map(run_forked, shares)
        whole = pool.submit(lambda: [run_validate(c.path) for c in big]).result()
        results = {k: v for part in forked for k, v in part.items()}
    table = {c.path.name: (c, results[str(c.path)]) for c in corpus}
    table.update({c.path.name: (c, r) for c, r in zip(big, whole, strict=True)})
    slowest = max(table.values(), key=lambda cr: cr[1].seconds)
    peak = max(r.max_rss_kb for _c, r in table.values()) // 1024
    print(
        f"\nbroken catalogs: {len(table)} inputs, slowest {slowest[0].path.name} "
        f"{slowest[1].seconds:.1f} s, peak {peak} MB"
    )
    return table


def test_the_corpus_has_at_least_forty_files() -> None:
    assert len(CORPUS) >= 40


NAMES = [p.name for p in CORPUS] + [
    "fifty-megabytes.yaml",
    "nested-lists-5000.yaml",
    "nested-mappings-5000.yaml",
    "nested-block-300.yaml",
    "many-aliases.yaml",
]


@pytest.mark.parametrize("name", NAMES)
def test_a_broken_catalog_is_reported_at_its_line(
    outcomes: dict[str, tuple[Case, Outcome]], name: str
) -> None:
    case, result = outcomes[name]
    assert "Traceback" not in result.err, result.err
    assert result.code == 1, f"exit {result.code}: {result.err[-2000:]}"
    assert result.seconds < WALL_SECONDS
    assert result.max_rss_kb < PEAK_RSS_KB, f"{result.max_rss_kb // 1024} MB"
    located = [
        line for line in result.err.splitlines() if line.startswith(f"{case.path}:{case.line}:")
    ]
    assert located, f"no report at {case.path.name}:{case.line}:\n{result.err}"
    assert any(case.text in line for line in located), result.err
    assert re.search(rf"^{re.escape(str(case.path))}:\d+:\d+: ", result.err, re.MULTILINE)
