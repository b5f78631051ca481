"""Page benchmark: layout shift and click-to-paint on the heavy pages, with a 4x slower CPU.

Builds the published site (or uses --site-dir), serves it on 127.0.0.1 and opens each heavy
page in Debian's headless Chromium with the CPU throttled 4x (CDP
Emulation.setCPUThrottlingRate). For each page it reports:

- layout shift: the cumulative layout-shift score of the load (PerformanceObserver
  `layout-shift`, inputs excluded), 2 s after the load event;
- click-to-paint: the Event Timing API's duration (from the input to the next paint) of
  real clicks: a column sort and a filter checkbox or select, the worst of three runs;
- width: the page's scroll width at a 390 px viewport.

Targets (issue 12): layout shift < 0.1, click-to-paint < 200 ms. Figures are printed, not
asserted: a timed test on a shared CI machine would be noise.

    python bench/bench_pages.py [--site-dir site] [--runs 3]
"""

from __future__ import annotations

import argparse
import functools
import shutil
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

CLS_SCRIPT = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value;
  }).observe({type: 'layout-shift', buffered: true});
  setTimeout(() => resolve(total), 2000);
})"""

WATCH_EVENTS = """() => {
  window.__omaEvents = [];
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) window.__omaEvents.push([e.name, e.duration]);
  }).observe({type: 'event', durationThreshold: 16, buffered: false});
}"""

# (name, path, [actions]); an action is ("click", selector) or ("select", selector, value).
PAGES: list[tuple[str, str, list[tuple[str, ...]]]] = [
    (
        "scorecards",
        "/scorecards/",
        [
            ("click", "#oma-matrix thead th:nth-child(11) button"),
            ("click", "#oma-filters details[data-filter=family] summary"),
            ("click", "#oma-filters input[name=family][value=olmo]"),
            ("select", "#oma-filters select[name=datasets]", "open"),
        ],
    ),
    (
        "choose",
        "/choose/",
        [
            ("click", "#oma-finder thead th:nth-child(5) button"),
            ("select", "#oma-finder-filters select[name=task]", "code"),
            ("click", "#oma-finder-filters details[data-filter=class] summary"),
            ("click", "#oma-finder-filters input[name=class][value=osi]"),
        ],
    ),
    (
        "family qwen-2-5",
        "/families/qwen-2-5/",
        [
            ("click", "table.oma-sortable thead th:nth-child(5) button"),
        ],
    ),
    ("model allenai/OLMo-7B", "/models/allenai/OLMo-7B/", []),
    ("compare", "/compare/?m=mistralai/Mistral-7B-v0.1&m=allenai/OLMo-7B", []),
]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serve(site: Path) -> tuple[ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _act(page: Any, action: tuple[str, ...]) -> float:
    """Do one reader action; return its click-to-paint time in ms."""
    if action[0] == "click":
        page.evaluate("() => { window.__omaEvents = []; }")
        page.locator(action[1]).first.click()
        page.wait_for_timeout(400)
        events = page.evaluate("() => window.__omaEvents")
        durations = [
            d
            for name, d in events
            if name in ("click", "pointerup", "pointerdown", "mousedown", "mouseup", "change")
        ]
        return max(durations, default=0.0)
    # A select's new value: dispatch change, then wait for the next frame to be painted.
    return float(
        page.evaluate(
            """([sel, value]) => new Promise(resolve => {
      const el = document.querySelector(sel);
      const t0 = performance.now();
      el.value = value;
      el.dispatchEvent(new Event('change', {bubbles: true}));
      requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
    })""",
            [action[1], action[2]],
        )
    )


def measure(base: str, runs: int) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("Debian's chromium is needed (apt-get install chromium)")
    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
        for name, path, actions in PAGES:
            shifts, clicks = [], []
            for _ in range(runs):
                context = browser.new_context(viewport={"width": 1440, "height": 900})
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
                page.goto(base + path, wait_until="load")
                shifts.append(float(page.evaluate(CLS_SCRIPT)))
                page.evaluate(WATCH_EVENTS)
                clicks.append([_act(page, a) for a in actions])
                context.close()
            phone = browser.new_context(viewport={"width": 390, "height": 844})
            page = phone.new_page()
            page.goto(base + path, wait_until="load")
            page.wait_for_timeout(300)
            width = int(page.evaluate("() => document.documentElement.scrollWidth"))
            phone.close()
            worst = [max(run[i] for run in clicks) for i in range(len(actions))]
            results.append(
                {
                    "page": name,
                    "cls": max(shifts),
                    "clicks": list(zip(actions, worst, strict=True)),
                    "width_390": width,
                }
            )
        browser.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site-dir", type=Path, help="an already built site (default: build one)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    site = args.site_dir
    if site is None:
        site = ROOT / "build" / "bench-pages-site"
        subprocess.run(
            [sys.executable, "-m", "generator", "build", "--site-dir", str(site)],
            cwd=ROOT,
            check=True,
        )
    server, base = _serve(site)
    try:
        results = measure(base, args.runs)
    finally:
        server.shutdown()
    print(
        f"{'page':<24} {'layout shift':>12} {'width@390':>10}  click-to-paint (4x CPU, worst of {args.runs})"
    )
    for r in results:
        clicks = "; ".join(
            f"{a[0]} {a[1].split(' ')[-1][:38]}: {ms:.0f} ms" for a, ms in r["clicks"]
        )
        print(f"{r['page']:<24} {r['cls']:>12.3f} {r['width_390']:>10}  {clicks or '—'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
