"""Golden tests: the fixture catalog's rendered pages, compared with tests/golden/.

After an intended rendering change, regenerate with `make goldens`
(`pytest tests/test_golden.py --update-goldens`) and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.catalog import validate as catalog_mod
from generator.score.scorecard import Scorer
from generator.site.render import SiteData, render_site
from tests.conftest import FIXTURES

GOLDEN = Path(__file__).parent / "golden"
PAGES = [
    "index.md",
    "families/index.md",
    "families/open-family.md",
    "families/weights-only.md",
    "scorecards.md",
    "choose.md",
    "compare.md",
    "models/open-lab/Open-7B.md",
    "models/someone/Open-7B-Med.md",
    "models/big-corp/Big-70B.md",
    "api/catalog.json",
    "api/catalog.csv",
]


def _render() -> dict[str, str | bytes]:
    catalog = catalog_mod.load(FIXTURES / "catalog.yaml").catalog
    assert catalog is not None
    return render_site(SiteData(catalog, Scorer(catalog).score_all(), None, 7))


@pytest.mark.parametrize("page", PAGES)
def test_page_matches_golden(page: str, request: pytest.FixtureRequest) -> None:
    content = str(_render()[page])
    golden = GOLDEN / page
    if request.config.getoption("--update-goldens"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(content, encoding="utf-8")
    assert golden.exists(), f"{golden} is missing: run `make goldens`"
    assert content == golden.read_text(encoding="utf-8"), (
        f"{page} differs from {golden}; if the change is intended, run `make goldens`"
    )
