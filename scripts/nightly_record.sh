#!/usr/bin/env bash
# The nightly's changelog entry, shared by .github/workflows/nightly.yml and
# `make nightly-dry-run`: when a sync changed catalog.lock.yaml, keep its summary as
# changes/YYYY-MM-DD.md (read by generator/changelog.py for the changelog page and feed).
# Runs before the build, so the published site already lists tonight's changes;
# scripts/nightly_commit.sh then commits the entry with the lock.
#
#   scripts/nightly_record.sh [LOCK] [SUMMARY]
set -euo pipefail

lock=${1:-catalog.lock.yaml}
summary=${2:-sync-summary.md}

if git ls-files --error-unmatch -- "$lock" >/dev/null 2>&1 && git diff --quiet HEAD -- "$lock"; then
  echo "$lock is unchanged: no changelog entry"
  exit 0
fi
if [ ! -s "$summary" ]; then
  echo "no sync summary at $summary" >&2
  exit 1
fi
# The day is the summary's own ("## Hub sync 2026-01-02: ..."), not the build clock's.
day=$(sed -nE '1s/^#* *Hub sync ([0-9]{4}-[0-9]{2}-[0-9]{2}).*/\1/p' "$summary")
if [ -z "$day" ]; then
  day=$(date -u +%F)
fi
mkdir -p changes
cp -- "$summary" "changes/${day}.md"
echo "recorded changes/${day}.md"
