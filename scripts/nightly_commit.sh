#!/usr/bin/env bash
# The nightly's commit decision, used by scripts/nightly_land.sh (the workflow's `land` job
# and `make nightly-dry-run`): commit catalog.lock.yaml only when a sync changed it, with the
# sync summary as the commit message (and the title of the data pull request).
#
#   scripts/nightly_commit.sh [LOCK] [SUMMARY]
#
# Prints `changed=true` or `changed=false` (also appended to $GITHUB_OUTPUT when set).
# Never commits anything but the lock, the providers file and the second-opinion snapshots,
# and the lock's changelog entry under changes/ (written by scripts/nightly_record.sh).
set -euo pipefail

lock=${1:-catalog.lock.yaml}
summary=${2:-sync-summary.md}

if [ ! -f "$lock" ]; then
  echo "no $lock: did the sync run?" >&2
  exit 1
fi
if [ ! -s "$summary" ]; then
  echo "no sync summary at $summary: refusing to commit without a message" >&2
  exit 1
fi

# `git add` first, then compare the index with HEAD: this also catches the first lock,
# which `git diff` alone would miss because the file is untracked.
# Beside the lock, the night's other generated data when present: inference providers and
# the second-opinion snapshots (opinions/osai.yaml, opinions/mot.yaml). Never the
# hand-edited opinions/aliases.yaml or opinions/reviewed.yaml.
data=("$lock")
for extra in catalog.providers.yaml opinions/osai.yaml opinions/mot.yaml; do
  if [ -f "$extra" ]; then
    data+=("$extra")
  fi
done
git add -- "${data[@]}"
if git diff --cached --quiet -- "${data[@]}"; then
  echo "$lock is unchanged: nothing to commit"
  changed=false
else
  paths=("${data[@]}")
  if [ -d changes ]; then
    paths+=(changes)
  fi
  git add -- "${paths[@]}"
  # The summary is Markdown: drop the heading marks so its title is the subject line.
  sed -E 's/^#{1,6} //' "$summary" |
    git -c user.name="github-actions[bot]" \
        -c user.email="41898282+github-actions[bot]@users.noreply.github.com" \
        commit --quiet --cleanup=whitespace --file - -- "${paths[@]}"
  echo "committed $lock: $(git log -1 --format=%s)"
  changed=true
fi

echo "changed=$changed"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "changed=$changed" >>"$GITHUB_OUTPUT"
fi
