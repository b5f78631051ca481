"""`python -m generator validate` on broken catalogs: exact PATH:LINE:COL, exit 1, no traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, Result

VALID = """\
licenses:
  LicenseRef-Custom:
    name: Custom
    url: https://example.org/l
    commercial: true
families:
  - id: fam
    name: Fam
    organization: Org
    summary: Text.
    openness:
      weights:
        status: open
        licenses: [Apache-2.0]
        evidence: [https://example.org/w]
        access: public
    models:
      - id: org/Base-1B
        name: Base 1B
        kind: base
        released: 2024-01-02
        params_b: 1
        context_length: 2048
        sources: [https://example.org/s]
    derivatives:
      - id: someone/Tuned-1B
        name: Tuned
        base: org/Base-1B
        relation: finetune
        domain: math
        specialization: Maths.
        released: unknown
        params_b: unknown
        context_length: unknown
        sources: [https://example.org/t]
"""


def _check(tmp_path: Path, cli: Callable[..., Result], text: str) -> Result:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    result = cli("validate", "--catalog", str(path), "--lock", str(tmp_path / "none.yaml"))
    assert "Traceback" not in result.err
    return result


def test_valid_catalog_exits_0(tmp_path: Path, cli: Callable[..., Result]) -> None:
    result = _check(tmp_path, cli, VALID)
    assert result.code == 0, result.err
    assert "valid (1 families, 1 models, 1 fine-tunes" in result.out


def test_fixture_catalog_is_valid(cli: Callable[..., Result]) -> None:
    result = cli("validate", "--catalog", str(FIXTURES / "catalog.yaml"), "--lock", "/nonexistent")
    assert result.code == 0, result.err


CASES = [
    pytest.param(
        "        status: open\n",
        "        status: opn\n",
        13,
        17,
        "families[0].openness.weights.status: 'opn' is not one of",
        id="bad-status",
    ),
    pytest.param(
        "        evidence: [https://example.org/w]\n",
        "        evidance: [https://example.org/w]\n",
        15,
        9,
        "families[0].openness.weights.evidance: unknown field 'evidance'",
        id="typo-field",
    ),
    pytest.param(
        "        params_b: 1\n",
        "        params_b: one\n",
        22,
        19,
        "families[0].models[0].params_b: 'one' is not a number",
        id="wrong-type",
    ),
    pytest.param(
        "        evidence: [https://example.org/w]\n",
        "",
        12,
        7,
        "families[0].openness.weights.evidence: status 'open' needs evidence",
        id="no-evidence",
    ),
    pytest.param(
        "[https://example.org/w]",
        "[ftp://example.org/w]",
        15,
        20,
        "families[0].openness.weights.evidence[0]: 'ftp://example.org/w' is not an http(s) URL",
        id="evidence-not-http",
    ),
    pytest.param(
        "[Apache-2.0]",
        "[Apache-2]",
        14,
        20,
        "families[0].openness.weights.licenses[0]: 'Apache-2' is neither an SPDX license id",
        id="bad-license",
    ),
    pytest.param(
        "[Apache-2.0]",
        "[LicenseRef-Nope]",
        14,
        20,
        "'LicenseRef-Nope' is not defined",
        id="undefined-licenseref",
    ),
    pytest.param(
        "        base: org/Base-1B\n",
        "        base: org/Other-1B\n",
        28,
        15,
        "families[0].derivatives[0].base: base 'org/Other-1B' is not in the catalog",
        id="missing-base",
    ),
    pytest.param(
        "      - id: org/Base-1B\n",
        "      - id: not a repo id\n",
        18,
        13,
        "families[0].models[0].id: 'not a repo id' is not a Hub repo id (ORG/NAME)",
        id="bad-repo-id",
    ),
    pytest.param(
        "released: 2024-01-02",
        "released: 2024-13-02",
        21,
        19,
        "families[0].models[0].released: '2024-13-02' is not a date",
        id="bad-date",
    ),
    pytest.param(
        "        name: Base 1B\n",
        "        name: Base 1B\n        name: Again\n",
        20,
        9,
        "families[0].models[0].name: duplicate key 'name' (first defined on line 19)",
        id="duplicate-key",
    ),
    pytest.param(
        "        kind: base\n",
        "        kind: base\n    - bad\n",
        21,
        5,
        "YAML syntax error",
        id="syntax-error",
    ),
    pytest.param(
        "  - id: someone/Tuned-1B\n",
        "  - id: org/base-1b\n",
        26,
        13,
        "duplicate model id 'org/base-1b' (also at families[0].models[0])",
        id="duplicate-model",
    ),
]


@pytest.mark.parametrize(("old", "new", "line", "col", "message"), CASES)
def test_broken_catalog_names_file_line_and_field(
    tmp_path: Path,
    cli: Callable[..., Result],
    old: str,
    new: str,
    line: int,
    col: int,
    message: str,
) -> None:
    assert old in VALID
    result = _check(tmp_path, cli, VALID.replace(old, new, 1))
    assert result.code == 1
    expected = f"{tmp_path / 'broken.yaml'}:{line}:{col}: "
    lines = [ln for ln in result.err.splitlines() if ln.startswith(expected)]
    assert any(message in ln for ln in lines), result.err


def test_every_problem_is_reported_at_once(tmp_path: Path, cli: Callable[..., Result]) -> None:
    text = VALID.replace("status: open", "status: opn").replace("params_b: 1\n", "params_b: -1\n")
    text = text.replace("evidence: [https://example.org/w]", "evidance: []")
    result = _check(tmp_path, cli, text)
    assert result.code == 1
    located = [ln for ln in result.err.splitlines() if ln.split("broken.yaml:")[1][:1].isdigit()]
    assert len(located) == 3, result.err
    assert "3 error(s)" in result.err


def test_duplicate_family_id(tmp_path: Path, cli: Callable[..., Result]) -> None:
    family = VALID.split("families:\n", 1)[1]
    second = family.replace("org/Base-1B", "org/Other-1B").replace("someone/Tuned", "someone/T2")
    result = _check(tmp_path, cli, VALID + second)
    assert result.code == 1
    assert ":36:9: families[1].id: duplicate family id 'fam'" in result.err


def test_github_annotations(tmp_path: Path, cli: Callable[..., Result]) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(VALID.replace("status: open", "status: opn"), encoding="utf-8")
    result = cli("validate", "--catalog", str(path), "--format", "github")
    assert result.code == 1
    assert f"::error file={path},line=13,col=17::families[0].openness.weights.status:" in result.out


def test_empty_and_unreadable_files(tmp_path: Path, cli: Callable[..., Result]) -> None:
    assert _check(tmp_path, cli, "").code == 1
    missing = cli("validate", "--catalog", str(tmp_path / "missing.yaml"))
    assert missing.code == 1
    assert "missing.yaml:1:1: cannot read" in missing.err
