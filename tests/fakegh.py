"""A fake `gh` (GitHub CLI) for the nightly's scripts: a small stateful GitHub in a JSON file.

scripts/pages_preflight.sh, nightly_land.sh and nightly_issue.sh call `gh`; GitHub is not
reachable here, so tests and `make nightly-dry-run` put this fake first on PATH. It answers
the few calls the scripts make, from and into a state file, and logs every call:

- `gh api repos/O/R/pages`: the `pages` object (404 "Not Found" when it is null);
- `gh pr list|create|edit|merge --auto`, `gh issue list|create|edit|comment|close`,
  `gh workflow run`: recorded in the state (`prs`, `issues`, `dispatched`), so a test reads
  what the script left behind; `auto_merge_allowed: false` makes `pr merge --auto` fail as
  GitHub does when the repository does not allow auto-merge.

Output is raw JSON, as `gh ... --json` prints it without `--jq`; the scripts parse it
themselves, so their parsing is tested too.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

FAKE = """#!/usr/bin/env bash
exec {python} {module} "$@"
"""


def install(bin_dir: Path, state: dict[str, Any]) -> tuple[Path, Path]:
    """Write `gh` into bin_dir; returns (state file, log file). Put bin_dir first on PATH and
    set FAKE_GH_STATE / FAKE_GH_LOG (see `env`)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    gh = bin_dir / "gh"
    gh.write_text(
        FAKE.format(python=sys.executable, module=Path(__file__).resolve()), encoding="utf-8"
    )
    gh.chmod(0o755)
    state_file, log = bin_dir / "gh-state.json", bin_dir / "gh-calls.log"
    state_file.write_text(
        json.dumps(
            {
                "pages": None,
                "prs": [],
                "issues": [],
                "dispatched": [],
                "auto_merge_allowed": True,
                **state,
            }
        ),
        encoding="utf-8",
    )
    log.write_text("", encoding="utf-8")
    return state_file, log


def env(bin_dir: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    base = dict(os.environ if base is None else base)
    return {
        **base,
        "PATH": f"{bin_dir}{os.pathsep}{base.get('PATH', '')}",
        "FAKE_GH_STATE": str(bin_dir / "gh-state.json"),
        "FAKE_GH_LOG": str(bin_dir / "gh-calls.log"),
    }


def read_state(bin_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((bin_dir / "gh-state.json").read_text(encoding="utf-8"))
    return data


def calls(bin_dir: Path) -> list[list[str]]:
    lines = (bin_dir / "gh-calls.log").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _option(args: list[str], name: str) -> str | None:
    return args[args.index(name) + 1] if name in args else None


def _body(args: list[str]) -> str:
    path = _option(args, "--body-file")
    if path is not None:
        return Path(path).read_text(encoding="utf-8")
    return _option(args, "--body") or ""


def main(args: list[str]) -> int:
    state_path = Path(os.environ["FAKE_GH_STATE"])
    with open(os.environ["FAKE_GH_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps(args) + "\n")
    state: dict[str, Any] = json.loads(state_path.read_text(encoding="utf-8"))

    def save() -> None:
        state_path.write_text(json.dumps(state, indent=1), encoding="utf-8")

    head = args[:2]
    if head[0] == "api" and args[1].endswith("/pages"):
        if state["pages"] is None:
            print('{"message":"Not Found","status":"404"}')
            print("gh: Not Found (HTTP 404)", file=sys.stderr)
            return 1
        print(json.dumps(state["pages"]))
        return 0
    if head == ["pr", "list"]:
        branch = _option(args, "--head")
        print(
            json.dumps(
                [
                    {"number": p["number"]}
                    for p in state["prs"]
                    if p["head"] == branch and p["state"] == "OPEN"
                ]
            )
        )
        return 0
    if head == ["pr", "create"]:
        number = 100 + len(state["prs"])
        state["prs"].append(
            {
                "number": number,
                "head": _option(args, "--head"),
                "base": _option(args, "--base"),
                "title": _option(args, "--title"),
                "body": _body(args),
                "state": "OPEN",
                "auto_merge": False,
            }
        )
        save()
        print(f"https://github.com/o/r/pull/{number}")
        return 0
    if head in (["pr", "edit"], ["pr", "merge"]):
        pr = next(p for p in state["prs"] if str(p["number"]) == args[2])
        if head[1] == "edit":
            pr.update(title=_option(args, "--title"), body=_body(args))
        elif not state["auto_merge_allowed"]:
            print(
                "GraphQL: Auto merge is not allowed for this repository "
                "(enablePullRequestAutoMerge)",
                file=sys.stderr,
            )
            return 1
        else:
            pr["auto_merge"] = "--auto" in args
        save()
        return 0
    if head == ["issue", "list"]:
        print(
            json.dumps(
                [
                    {"number": i["number"], "title": i["title"]}
                    for i in state["issues"]
                    if i["state"] == "OPEN"
                ]
            )
        )
        return 0
    if head == ["issue", "create"]:
        number = 1 + len(state["issues"])
        state["issues"].append(
            {
                "number": number,
                "title": _option(args, "--title"),
                "body": _body(args),
                "state": "OPEN",
                "comments": [],
            }
        )
        save()
        print(f"https://github.com/o/r/issues/{number}")
        return 0
    if head in (["issue", "edit"], ["issue", "comment"]):
        issue = next(i for i in state["issues"] if str(i["number"]) == args[2])
        if head[1] == "edit":
            issue["body"] = _body(args)
        else:
            issue["comments"].append(_body(args))
        save()
        return 0
    if head == ["issue", "close"]:
        issue = next(i for i in state["issues"] if str(i["number"]) == args[2])
        issue["state"] = "CLOSED"
        comment = _option(args, "--comment")
        if comment:
            issue["comments"].append(comment)
        save()
        return 0
    if head == ["workflow", "run"]:
        state["dispatched"].append({"workflow": args[2], "ref": _option(args, "--ref")})
        save()
        return 0
    print(f"fake gh: unsupported call {args}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
