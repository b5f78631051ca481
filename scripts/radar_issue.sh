#!/usr/bin/env bash
# The nightly's release radar (.github/workflows/nightly.yml, job `radar`): keep ONE open
# issue, "New releases to catalog", listing the notable Hub repos of the catalog's
# organizations that the catalog does not have yet, each with a catalog stub. The issue is
# created when there is something to list, edited in place on later nights, and closed when
# the list is empty (everything was catalogued or fell out of the window).
#
#   REPOSITORY=owner/name scripts/radar_issue.sh [DAYS]
#
# DAYS (default 90): how far back a release counts as new. Needs `python -m generator radar`
# (HF_ENDPOINT / HF_TOKEN as for the sync) and `gh` with `issues: write` (GH_TOKEN).
set -euo pipefail

days=${1:-90}
repo=${REPOSITORY:?set REPOSITORY=owner/name}
title="New releases to catalog"
since=$(python3 -c "import datetime as d, sys; print((d.datetime.now(d.UTC) - d.timedelta(days=int(sys.argv[1]))).date())" "$days")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python -m generator radar --since "$since" --format json >"$work/radar.json"
python -m generator radar --since "$since" >"$work/body.md"
count=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$work/radar.json")
printf '\nThis issue is kept by the nightly workflow (scripts/radar_issue.sh): add a release to catalog.yaml (see CONTRIBUTING.md) and it leaves the list; the issue closes itself when the list is empty.\n' >>"$work/body.md"

number=$(gh issue list --repo "$repo" --state open --search "\"${title}\" in:title" \
  --json number,title --limit 100 | TITLE="$title" python3 -c '
import json, os, sys
match = [i["number"] for i in json.load(sys.stdin) if i["title"] == os.environ["TITLE"]]
print(min(match) if match else "")')

if [ "$count" -eq 0 ]; then
  if [ -n "$number" ]; then
    gh issue close "$number" --repo "$repo" --comment "No new releases to catalog since ${since}."
    echo "closed issue #${number}: nothing new to catalog"
  else
    echo "nothing new to catalog since ${since}"
  fi
elif [ -n "$number" ]; then
  gh issue edit "$number" --repo "$repo" --body-file "$work/body.md"
  echo "updated issue #${number}: ${count} release(s)"
else
  gh issue create --repo "$repo" --title "$title" --body-file "$work/body.md"
  echo "opened the issue: ${count} release(s)"
fi
