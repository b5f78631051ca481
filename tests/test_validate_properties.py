"""Property-based: `validate` never crashes, whatever YAML it is given.

Three sources of input: any text, any YAML document (values of every YAML type, nested),
and mutated copies of tests/fixtures/catalog.yaml (lines deleted, duplicated, swapped,
re-indented or cut short; hostile tokens such as aliases, tags, tabs, control characters
and a BOM spliced in). Whatever comes in, the answer is a list of problems, each at a
line and column of the file, and a catalog is returned only when no problem is an error.
A catalog that loads is also scored, as every build does next.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.catalog import source
from generator.catalog.validate import Loaded, validate_document
from generator.score.scorecard import Scorer
from tests.conftest import FIXTURES

FIXTURE = (FIXTURES / "catalog.yaml").read_text(encoding="utf-8")
LINES = FIXTURE.splitlines(keepends=True)
NAME = "catalog.yaml"
TRIED = {"inputs": 0}  # reported at the end of the session (see test_inputs_were_tried)
SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HOSTILE = [
    "*a",
    "&a ",
    "!!binary ",
    "!!python/object:os.system ",
    "!x ",
    "[",
    "]",
    "{",
    "}",
    ": ",
    "- ",
    "? ",
    "|",
    ">",
    "\t",
    "\x00",
    "\x07",
    "\ufeff",
    "\r",
    "\r\n",
    "'",
    '"',
    "#",
    "---\n",
    "...\n",
    ".inf",
    ".nan",
    "-1",
    "0",
    "1e309",
    "~",
    "null",
    "yes",
    "2024-13-45",
    "javascript:alert(1)",
    "<script>",
    "LicenseRef-",
    "<<: ",
    "%YAML 1.1\n",
    "\\",
    "\u2028",
    "\udcff"[:0],
    "é",
    "🤖",
]


def check(text: str) -> Loaded:
    TRIED["inputs"] += 1
    loaded = validate_document(source.parse(text, NAME))
    for problem in loaded.problems:
        assert problem.file == NAME
        assert problem.line >= 1
        assert problem.col >= 1
        assert problem.message
        str(problem)  # printable
    if loaded.catalog is not None:
        assert not loaded.errors
        Scorer(loaded.catalog).score_all()
    else:
        assert loaded.errors, "no catalog, yet no error says why"
    return loaded


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.sampled_from(
        [
            "open",
            "partial",
            "closed",
            "unknown",
            "base",
            "public",
            "Apache-2.0",
            "https://example.org/x",
            "unknown",
            "org/name",
            "LicenseRef-X",
        ]
    ),
)
keys = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "families",
            "licenses",
            "id",
            "name",
            "models",
            "openness",
            "weights",
            "status",
            "evidence",
            "licenses",
            "base",
            "kind",
            "params_b",
            "derivatives",
            "note",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(keys, inner, max_size=5)),
    max_leaves=40,
)


@SETTINGS
@given(st.text(max_size=400))
def test_any_text(text: str) -> None:
    check(text)


@SETTINGS
@given(values)
def test_any_yaml_document(value: Any) -> None:
    check(yaml.safe_dump(value, allow_unicode=True))
    check(yaml.safe_dump({"families": value}, default_flow_style=True))


@st.composite
def mutated(draw: st.DrawFn) -> str:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(
            st.sampled_from(
                [
                    "delete",
                    "duplicate",
                    "swap",
                    "indent",
                    "dedent",
                    "splice",
                    "replace-value",
                    "cut",
                ]
            )
        )
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "indent":
            lines[i] = "  " + lines[i]
        elif kind == "dedent":
            lines[i] = lines[i][2:]
        elif kind == "splice":
            at = draw(st.integers(0, len(lines[i])))
            token = draw(st.sampled_from(HOSTILE) | st.text(max_size=5))
            lines[i] = lines[i][:at] + token + lines[i][at:]
        elif kind == "replace-value" and ": " in lines[i]:
            head = lines[i].split(": ", 1)[0]
            lines[i] = f"{head}: {draw(st.sampled_from(HOSTILE) | st.text(max_size=8))}\n"
        elif kind == "cut":
            return "".join(lines)[: draw(st.integers(0, sum(map(len, lines))))]
        if not lines:
            break
    return "".join(lines)


@SETTINGS
@given(mutated())
def test_mutated_fixture_catalog(text: str) -> None:
    check(text)


def test_the_fixture_itself_loads() -> None:
    assert check(FIXTURE).catalog is not None


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    print(f"\nvalidate property tests: {TRIED['inputs']} inputs tried")


@SETTINGS
@given(mutated())
def test_the_fast_history_reader_agrees_or_declines(text: str) -> None:
    """The changelog reads old versions with libyaml (`load_fast`): it never crashes, and
    what it loads is what the located reader would have loaded."""
    TRIED["inputs"] += 1
    fast = source.load_fast(text)
    if fast is not None:
        slow = source.parse(text, NAME)
        assert not any(p.message.startswith("refused") for p in slow.problems)
