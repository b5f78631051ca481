#!/usr/bin/env bash
# The nightly's data landing (.github/workflows/nightly.yml, job `land`), made for a
# protected main: tonight's catalog.lock.yaml and changes/DAY.md are committed on top of
# main's current tip onto one fixed branch, bot/nightly-data (force-updated in place, so
# there is never more than one data pull request), its pull request is opened or updated,
# and auto-merge is enabled: GitHub merges it once the required checks pass. Publishing does
# not wait for this: the site was deployed from the same lock already.
#
#   SYNCED=DIR scripts/nightly_land.sh
#
# Run from a fresh checkout of main (the tip as it is now: edits merged while the sync ran
# are kept, and the changelog entry is appended, never overwritten). Environment:
#   SYNCED      the synced-lock artifact: catalog.lock.yaml, sync-summary.md, sync-changelog.md
#   GH_TOKEN    the token for `git push` and `gh`: a GitHub App token or a PAT, so that the
#               pull request triggers CI; or GITHUB_TOKEN, the fallback (TOKEN_KIND=github)
#   TOKEN_KIND  app | pat | github. With github, CI is started on the branch by
#               workflow_dispatch (the one event a GITHUB_TOKEN may trigger), so the
#               required checks report on the pull request's commit.
#   BASE (main), BOT_BRANCH (bot/nightly-data), REMOTE (origin), REPOSITORY (owner/name)
# Prints `landed=true|false` (also to $GITHUB_OUTPUT when set).
set -euo pipefail

synced=${SYNCED:?set SYNCED to the synced-lock artifact directory}
base=${BASE:-main}
branch=${BOT_BRANCH:-bot/nightly-data}
remote=${REMOTE:-origin}
kind=${TOKEN_KIND:-github}
here=$(cd "$(dirname "$0")" && pwd)
repo_args=()
if [ -n "${REPOSITORY:-}" ]; then
  repo_args=(--repo "$REPOSITORY")
fi

output() {
  echo "landed=$1"
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    echo "landed=$1" >>"$GITHUB_OUTPUT"
  fi
}

# git with the token for this one command; it is never stored in .git/config.
git_auth() {
  if [ -n "${GH_TOKEN:-}" ]; then
    local auth
    auth=$(printf 'x-access-token:%s' "$GH_TOKEN" | base64 -w0)
    git -c "http.extraheader=AUTHORIZATION: basic ${auth}" "$@"
  else
    git "$@"
  fi
}

open_pr() {
  gh pr list "${repo_args[@]}" --head "$branch" --base "$base" --state open --json number |
    python3 -c 'import json, sys; prs = json.load(sys.stdin); print(prs[0]["number"] if prs else "")'
}

for name in catalog.lock.yaml sync-summary.md sync-changelog.md; do
  if [ ! -s "$synced/$name" ]; then
    echo "no $name in $synced: did the sync job finish?" >&2
    exit 1
  fi
done

number=$(open_pr)
# Earlier nights' entries whose pull request has not merged yet ride along (new files only:
# a file main already has is main's, edits included).
if [ -n "$number" ] && git_auth fetch --quiet "$remote" "+refs/heads/${branch}:refs/remotes/${remote}/${branch}"; then
  mkdir -p changes
  while IFS= read -r path; do
    if [ ! -e "$path" ]; then
      git show "${remote}/${branch}:${path}" >"$path"
      echo "carried over $path from the unmerged pull request #${number}"
    fi
  done < <(git ls-tree -r --name-only "${remote}/${branch}" -- changes/ | grep -E '^changes/[0-9]{4}-[0-9]{2}-[0-9]{2}\.md$' || true)
fi

cp -- "$synced/catalog.lock.yaml" catalog.lock.yaml
# The other generated data of the night, when its step produced it (providers, opinions).
if [ -s "$synced/catalog.providers.yaml" ]; then
  cp -- "$synced/catalog.providers.yaml" catalog.providers.yaml
fi
for name in osai.yaml mot.yaml; do
  if [ -s "$synced/opinions/$name" ]; then
    cp -- "$synced/opinions/$name" "opinions/$name"
  fi
done
GITHUB_OUTPUT='' bash "$here/nightly_record.sh" catalog.lock.yaml "$synced/sync-changelog.md" |
  { grep -v '^changed=' || true; }
committed=$(GITHUB_OUTPUT='' bash "$here/nightly_commit.sh" catalog.lock.yaml "$synced/sync-summary.md")
echo "$committed"
if grep -qx 'changed=false' <<<"$committed"; then
  echo "main already has tonight's lock: nothing to land"
  output false
  exit 0
fi

git_auth push --force --quiet "$remote" "HEAD:refs/heads/${branch}"
echo "pushed $(git rev-parse --short HEAD) to ${branch}"

title=$(git log -1 --format=%s)
body=$(mktemp)
trap 'rm -f "$body"' EXIT
{
  cat -- "$synced/sync-summary.md"
  printf '\n---\nOpened and updated in place by the nightly workflow (scripts/nightly_land.sh); '
  printf 'it merges itself once the required checks pass. The site is already published from '
  printf 'this lock. See docs/maintainers.md.\n'
} >"$body"
if [ -z "$number" ]; then
  gh pr create "${repo_args[@]}" --base "$base" --head "$branch" --title "$title" --body-file "$body" >/dev/null
  number=$(open_pr)
  echo "opened pull request #${number}"
else
  gh pr edit "$number" "${repo_args[@]}" --title "$title" --body-file "$body"
  echo "updated pull request #${number}"
fi

if ! gh pr merge "$number" "${repo_args[@]}" --auto --squash; then
  echo "::error title=Auto-merge is not allowed::The data pull request #${number} waits for a manual merge: allow auto-merge in Settings -> General -> Pull Requests -> Allow auto-merge (docs/maintainers.md, step 4)."
  output true
  exit 1
fi
echo "auto-merge enabled on #${number}"

if [ "$kind" = github ]; then
  # A pull request pushed with GITHUB_TOKEN starts no pull_request workflow, so its
  # required checks would never report: start CI on the branch's commit instead.
  gh workflow run ci.yml "${repo_args[@]}" --ref "$branch"
  echo "started CI on ${branch} (workflow_dispatch): GITHUB_TOKEN is the fallback; an App token or NIGHTLY_PAT makes this unnecessary"
fi
output true
