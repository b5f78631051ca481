#!/usr/bin/env bash
# The nightly's preflight (.github/workflows/nightly.yml, job `preflight`): is GitHub Pages
# enabled with the source "GitHub Actions"? Fails in seconds, with the setting to change,
# instead of at deploy-pages after the whole sync and build. docs/maintainers.md lists the
# same settings.
#
#   REPOSITORY=owner/name scripts/pages_preflight.sh [MKDOCS_YML]
#
# Needs `gh` with a token that may read the repository's Pages settings (GH_TOKEN; in the
# workflow, GITHUB_TOKEN with `pages: read`).
set -euo pipefail

repo=${REPOSITORY:?set REPOSITORY=owner/name}
config=${1:-mkdocs.yml}
settings="https://github.com/${repo}/settings/pages"
fix="Open ${settings} and set Build and deployment -> Source to \"GitHub Actions\" (docs/maintainers.md, step 1)."

if ! answer=$(gh api "repos/${repo}/pages" 2>/dev/null); then
  echo "::error title=GitHub Pages is not enabled::GitHub Pages is not enabled for ${repo}. ${fix}"
  exit 1
fi
read -r build_type html_url < <(printf '%s' "$answer" | python3 -c '
import json, sys
data = json.load(sys.stdin)
print(data.get("build_type") or "-", data.get("html_url") or "-")')
if [ "$build_type" != "workflow" ]; then
  echo "::error title=GitHub Pages builds from a branch::GitHub Pages of ${repo} is set to build from a branch (build_type: ${build_type}), so this workflow's deployment would be refused. ${fix}"
  exit 1
fi
echo "GitHub Pages is enabled with the source GitHub Actions: ${html_url}"

# site_url (mkdocs.yml) is what the badges, feed and canonical links use: warn when it is
# not where Pages publishes (a custom domain, a renamed repository, a fork).
site_url=$(sed -nE 's/^site_url:[[:space:]]*([^[:space:]#]+).*/\1/p' "$config" 2>/dev/null | head -n 1)
if [ -n "$site_url" ] && [ "${site_url%/}" != "${html_url%/}" ]; then
  echo "::warning title=site_url is not the Pages address::${config} has site_url: ${site_url}, but Pages publishes at ${html_url}. Set site_url to ${html_url} (docs/maintainers.md, step 6)."
fi
