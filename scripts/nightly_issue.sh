#!/usr/bin/env bash
# The nightly's alarm (.github/workflows/nightly.yml, job `report`): when the sync failed,
# open one issue, or update the one already open (its body is tonight's report, and a
# comment marks each further failed night), so a broken nightly is loud but never spams.
#
#   REPOSITORY=owner/name RUN_URL=... scripts/nightly_issue.sh [ALERT]
#
# ALERT is what `sync --alert` wrote (the failure share, the likely cause: an expired
# HF_TOKEN answers 401 everywhere). Without it (the sync job failed before writing it) the
# issue says so and points at the run. Needs `gh` with `issues: write` (GH_TOKEN).
set -euo pipefail

alert=${1:-sync-alert.md}
repo=${REPOSITORY:?set REPOSITORY=owner/name}
run_url=${RUN_URL:-}
title="Nightly Hub sync failed"

body=$(mktemp)
trap 'rm -f "$body"' EXIT
if [ -s "$alert" ]; then
  cat -- "$alert" >"$body"
else
  cat >"$body" <<'TEXT'
## Nightly Hub sync failed

The sync job failed before it could write its report: a crash, an invalid catalog or lock,
or a failed install. `catalog.lock.yaml` was not changed; the site was published from the
last good lock. The run's log says what happened.
TEXT
fi
if [ -n "$run_url" ]; then
  printf '\nRun: %s\n' "$run_url" >>"$body"
fi
printf '\nThis issue is opened and updated by the nightly workflow; close it once the sync works again.\n' >>"$body"

number=$(gh issue list --repo "$repo" --state open --search "\"${title}\" in:title" \
  --json number,title --limit 100 | TITLE="$title" python3 -c '
import json, os, sys
match = [i["number"] for i in json.load(sys.stdin) if i["title"] == os.environ["TITLE"]]
print(min(match) if match else "")')
if [ -n "$number" ]; then
  gh issue edit "$number" --repo "$repo" --body-file "$body"
  gh issue comment "$number" --repo "$repo" --body "Failed again: ${run_url:-see the runs of the nightly workflow}"
  echo "updated issue #${number}"
else
  gh issue create --repo "$repo" --title "$title" --body-file "$body"
fi
