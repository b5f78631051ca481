#!/usr/bin/env bash
# The nightly's changelog entry, shared by .github/workflows/nightly.yml (in the sync job,
# so tonight's site lists tonight's changes, and again in the land job, on main's current
# tip) and `make nightly-dry-run`: when a sync changed catalog.lock.yaml, keep its public
# entry (`sync --changelog`: what changed on the Hub, never the run's failures) as
# changes/YYYY-MM-DD.md, read by generator/site/changelog.py for the changelog page and feed.
#
#   scripts/nightly_record.sh [LOCK] [ENTRY]
#
# It never overwrites: when changes/DAY.md exists (an earlier run of the same day, or an
# edit merged while this run was syncing), the entry is appended below it, once.
# Prints `changed=true|false` (whether the lock changed; also to $GITHUB_OUTPUT when set).
set -euo pipefail

lock=${1:-catalog.lock.yaml}
entry=${2:-sync-changelog.md}

output() {
  echo "changed=$1"
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    echo "changed=$1" >>"$GITHUB_OUTPUT"
  fi
}

if git ls-files --error-unmatch -- "$lock" >/dev/null 2>&1 && git diff --quiet HEAD -- "$lock"; then
  echo "$lock is unchanged: no changelog entry"
  output false
  exit 0
fi
if [ ! -s "$entry" ]; then
  echo "no changelog entry at $entry" >&2
  exit 1
fi
# The day is the entry's own ("## Hub sync 2026-01-02: ..."), not the build clock's.
day=$(sed -nE '1s/^#* *Hub sync ([0-9]{4}-[0-9]{2}-[0-9]{2}).*/\1/p' "$entry")
if [ -z "$day" ]; then
  day=$(date -u +%F)
fi
mkdir -p changes
target="changes/${day}.md"
if [ ! -e "$target" ]; then
  cp -- "$entry" "$target"
  echo "recorded $target"
elif tail -c "$(wc -c <"$entry")" -- "$target" | cmp -s - "$entry"; then
  echo "$target already ends with this entry"
else
  printf '\n' >>"$target"
  cat -- "$entry" >>"$target"
  echo "appended to $target (it already held an entry or an edit of that day)"
fi
output true
