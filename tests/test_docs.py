"""Docs that tests keep honest: the CLI's help, the README's command table and commands,
CONTRIBUTING's field table, and the make targets the docs mention."""

from __future__ import annotations

import argparse
import re
from typing import Any

import pytest
from conftest import ROOT
from pydantic import BaseModel

from generator import cli
from generator.catalog.schema import Catalog, Component

README = (ROOT / "README.md").read_text(encoding="utf-8")
CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = cli._parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def subcommand_help() -> dict[str, str | None]:
    parser = cli._parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {choice.dest: choice.help for choice in action._choices_actions}


def table_first_column(text: str, heading: str) -> list[str]:
    """The backticked names in the first column of the first table under `heading`."""
    section = text.split(heading, 1)[1]
    rows = []
    for line in section.splitlines():
        if line.startswith("|"):
            rows.append(line)
        elif rows:
            break
    return [m.group(1) for row in rows if (m := re.match(r"\|\s*`([^`]+)`", row))]


def make_targets() -> set[str]:
    return set(re.findall(r"^([a-z][a-z-]*):", MAKEFILE, re.MULTILINE))


def test_every_subcommand_has_help_text() -> None:
    helps = subcommand_help()
    assert set(helps) == set(subcommands())
    for name, text in helps.items():
        assert len(text or "") > 15, f"`{name}` has no real --help text"


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_subcommand_help_runs(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main([name, "--help"])
    assert exit_info.value.code == 0
    assert f"python -m generator {name}" in capsys.readouterr().out


def test_readme_command_table_lists_every_subcommand() -> None:
    listed = table_first_column(README, "## Command line")
    assert sorted(listed) == sorted(subcommands())


def test_readme_two_commands_are_make_targets() -> None:
    block = README.split("## Two commands", 1)[1].split("```", 2)[1]
    commands = re.findall(r"^make ([a-z-]+)", block, re.MULTILINE)
    assert commands == ["site", "test"]
    assert set(commands) <= make_targets()


def test_every_make_target_the_docs_mention_exists() -> None:
    mentioned = set(re.findall(r"`make ([a-z-]+)`", README + CONTRIBUTING))
    assert mentioned, "the docs mention no make target?"
    assert mentioned <= make_targets(), mentioned - make_targets()


def test_every_generator_command_the_docs_mention_exists() -> None:
    mentioned = set(re.findall(r"python -m generator ([a-z]+)", README + CONTRIBUTING))
    assert mentioned <= set(subcommands()), mentioned - set(subcommands())


def catalog_fields(model: type[BaseModel] = Catalog, seen: set[str] | None = None) -> set[str]:
    """Every YAML key of the catalog, from the typed models in generator/catalog/schema.py."""
    seen = seen if seen is not None else set()
    if model.__name__ in seen:
        return set()
    seen.add(model.__name__)
    names: set[str] = set()
    for name, field in model.model_fields.items():
        names.add(field.alias or name)
        for sub in _models_in(field.annotation):
            names |= catalog_fields(sub, seen)
    return names


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _models_in(arg)]


def test_contributing_field_table_lists_every_catalog_field() -> None:
    fields = catalog_fields()
    for sub in ("Model", "Derivative"):  # reached through Family
        assert sub in {m.__name__ for m in _walk_models()}
    table = set(table_first_column(CONTRIBUTING, "## Catalog fields"))
    missing = sorted(fields - table)
    assert not missing, f"CONTRIBUTING.md's field table lacks {missing}"
    stale = sorted(table - fields)
    assert not stale, f"CONTRIBUTING.md's field table lists fields that no longer exist: {stale}"


def _walk_models() -> list[type[BaseModel]]:
    out: list[type[BaseModel]] = []
    todo: list[type[BaseModel]] = [Catalog]
    while todo:
        model = todo.pop()
        if model in out:
            continue
        out.append(model)
        for field in model.model_fields.values():
            todo.extend(_models_in(field.annotation))
    return out


def test_contributing_names_every_component() -> None:
    section = CONTRIBUTING.split("## Catalog fields", 1)[1]
    for component in Component:
        assert f"`{component.value}`" in section, component.value


def test_contributing_covers_what_the_issue_asks() -> None:
    for heading in (
        "## Add a model in five minutes",
        "## The evidence standard",
        "## How statuses are decided",
    ):
        assert heading in CONTRIBUTING
    assert "make serve" in CONTRIBUTING  # how to preview
    assert "site-preview" in CONTRIBUTING


def test_licenses_are_stated() -> None:
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert "CC BY 4.0" in (ROOT / "DATA-LICENSE.md").read_text(encoding="utf-8")
    assert "DATA-LICENSE.md" in README


def test_pull_request_template_says_edit_the_catalog_only() -> None:
    template = (ROOT / ".github" / "PULL_REQUEST_TEMPLATE.md").read_text(encoding="utf-8")
    assert "catalog.yaml" in template
    assert "evidence" in template


def test_issue_templates_exist() -> None:
    names = {p.name for p in (ROOT / ".github" / "ISSUE_TEMPLATE").glob("*.yml")}
    assert {"add-a-model.yml", "correct-a-fact.yml", "right-of-reply.yml"} <= names


def test_pre_commit_hooks_cover_the_checks() -> None:
    import yaml

    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    entries = " ".join(h["entry"] for repo in config["repos"] for h in repo["hooks"])
    for needed in ("ruff check", "mypy", "generator validate", "generator schema --check"):
        assert needed in entries, needed


def test_readme_says_how_to_build_with_zensical() -> None:
    assert "--engine zensical" in README
    assert "make nightly-dry-run" in README


def test_schema_file_is_named_where_people_look() -> None:
    assert "catalog.schema.json" in CONTRIBUTING
    assert "catalog.schema.json" in README
