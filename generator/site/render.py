"""Rendering: scored catalog (+ Hub lock) -> Markdown pages, JSON/CSV exports, SVG badges.

Pure: returns {relative path: content}; `writer` puts it on disk. Jinja autoescapes and
finalizes every value with `markup.md_text` (catalog text comes from pull requests, Hub text
from the Hub); view objects come from `views`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from generator.catalog import rules
from generator.catalog.licenses import LICENSE_CLASS_LABELS
from generator.catalog.schema import COMPONENT_LABELS, Component, Status
from generator.score.scorecard import CRITERION_LABELS, Criterion
from generator.site import beside, changelog, charts, exports, hubview, modelpage
from generator.site.markup import (
    CRITERION_SHORT,
    GENERATED_NOTE,
    STATUS_SYMBOL,
    anchor,
    format_context,
    format_number,
    format_params,
    front_matter_text,
    lcfirst,
    md_text,
    safe_url,
    status_badge,
    strip,
    strip_legend,
)
from generator.site.views import (
    CRITERION_COMPONENTS,
    CRITERION_TEXT,
    SORT_RANK,
    Row,
    SiteData,
    card_groups,
    domains,
    finder_filters,
    kind_of,
    lineage,
    matrix_filters,
    newest_families,
    open_count,
    openness_rank,
    own_components,
    rows_of,
    summarize,
)

__all__ = ["SiteData", "md_text", "render_site", "safe_url"]


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("generator.site", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=md_text,
    )
    env.filters.update(
        url=safe_url,
        status=status_badge,
        number=format_number,
        params=format_params,
        context=format_context,
        lcfirst=lcfirst,
        front=front_matter_text,
    )
    env.globals.update(
        Criterion=Criterion,
        CRITERION_LABELS=CRITERION_LABELS,
        CRITERION_SHORT=CRITERION_SHORT,
        COMPONENT_LABELS=COMPONENT_LABELS,
        LICENSE_CLASS_LABELS=LICENSE_CLASS_LABELS,
        STATUS_SYMBOL=STATUS_SYMBOL,
        GENERATED_NOTE=Markup(GENERATED_NOTE),
        RULES=Markup(rules.rules_markdown()),  # our own text, written once in catalog.rules
        strip=strip,
        strip_legend=strip_legend,
        anchor=anchor,
    )
    return env


def render_site(data: SiteData) -> dict[str, str | bytes]:
    """Every generated file of the site."""
    env = _env()
    hubs = hubview.HubIndex(data.lock, data.stale_days)
    rows = rows_of(data, hubs)
    families = data.catalog.families
    ctx: dict[str, Any] = {
        "catalog": data.catalog,
        "families": families,
        "rows": rows,
        "hubs": hubs,
        "Component": Component,
        "Status": Status,
        "licenses_used": _licenses_used(data),
        "summaries": {f.id: summarize(f, rows) for f in families},
        "sort_rank": SORT_RANK,
        "family_ids": {f.id for f in families},
        "own_components": own_components,
        "site_url": data.site_url,
        "matrix_filters": matrix_filters(data, rows),
        "finder_filters": finder_filters(rows),
        "domains": domains(rows),
        "kind_of": kind_of,
        "ranked": openness_rank(rows),
        "open_count": open_count,
        "criterion_components": CRITERION_COMPONENTS,
        "criterion_text": CRITERION_TEXT,
        "newest": newest_families(families),
        "data_date": modelpage.data_date(rows),
        "model_href": modelpage.model_href,
        "tasks_of": modelpage.tasks_of,
    }
    files: dict[str, str | bytes] = {
        "index.md": env.get_template("home.md.j2").render(ctx),
        "families/index.md": env.get_template("families.md.j2").render(ctx),
        "scorecards.md": env.get_template("scorecards.md.j2").render(ctx),
        "methodology.md": env.get_template("methodology.md.j2").render(ctx),
        "choose.md": env.get_template("choose.md.j2").render(ctx),
    }
    chart_list = _charts(rows)
    files["charts/index.md"] = env.get_template("charts.md.j2").render(
        ctx, charts=chart_list, chart_svg=[Markup(c.svg) for c in chart_list]
    )
    files["changelog.md"] = env.get_template("changelog.md.j2").render(
        ctx, changes=Markup(changelog.changelog_markdown(list(data.changes)))
    )
    files["feed.xml"] = changelog.atom_feed(list(data.changes), data.site_url)
    files["compare.md"] = env.get_template("compare.md.j2").render(ctx)
    extra = beside.record_fields(data.beside, data.scores)  # issue 15, also on model pages
    files.update(_model_pages(env, ctx, rows, data, extra))
    family_tpl = env.get_template("family.md.j2")
    for family in families:
        members = [rows[e.id] for e in family.entries()]
        files[f"families/{family.id}.md"] = family_tpl.render(
            ctx,
            family=family,
            members=members,
            rel_root="../../",
            lineage=lineage(family, rows),
            groups=card_groups(members),
            family_components=[(c, family.openness[c]) for c in Component if c in family.openness],
            models=[r for r in members if not r.is_derivative],
            derivatives=[r for r in members if r.is_derivative],
        )
    # -- issue 15: second opinions and providers (generator/site/beside.py) --
    names = {r.entry.id: r.entry.name for r in rows.values()}
    files.update(beside.pages(env, ctx, data.beside, data.scores, names))
    # -- end issue 15 --
    files.update(exports.export_files(data.catalog, data.scores, hubs, _generated_at(hubs), extra))
    for row in rows.values():
        record = exports.model_record(row.entry, row.card, row.hub)
        files[f"api/models/{row.entry.id}.json"] = (
            json.dumps(
                modelpage.compare_record(row, record), ensure_ascii=False, separators=(",", ":")
            )
            + "\n"
        )
    return files


def _model_pages(
    env: Environment,
    ctx: dict[str, Any],
    rows: dict[str, Row],
    data: SiteData,
    extra: dict[str, dict[str, Any]],
) -> dict[str, str | bytes]:
    """One page per model and fine-tune, at models/ORG/NAME/."""
    template = env.get_template("model.md.j2")
    pages: dict[str, str | bytes] = {}
    for row in rows.values():
        entry = row.entry
        pages[modelpage.model_path(entry.id) + ".md"] = template.render(
            ctx,
            row=row,
            rel_root="../../../",
            family=row.family,
            kind=entry.relation.value if row.is_derivative else entry.kind.value,
            description=_model_description(row),
            tasks=modelpage.tasks_of(row),
            modalities=["text", *(m.value for m in entry.modalities if m.value != "text")],
            up=modelpage.ancestors(row, rows),
            down=modelpage.children(row, rows),
            obligations=modelpage.obligations(row, data.catalog),
            memory=modelpage.memory(entry.params_b),
            gated=modelpage.gated(row),
            local_dir=entry.id.split("/", 1)[1],
            cite_key=re.sub(r"[^A-Za-z0-9]+", "_", entry.id).strip("_"),
            others=extra.get(entry.id, {"second_opinions": [], "providers": None}),
        )
    return pages


def _model_description(row: Row) -> str:
    card = row.card
    verdict = card.verdict.value
    if card.blockers:
        blocked = ", ".join(lcfirst(CRITERION_LABELS[c]) for c in card.blockers)
        verdict += f" (blocked by {blocked})"
    return (
        f"{row.entry.name} ({row.family.name}, {format_params(row.entry.params_b)}): "
        f"{verdict}. Openness evidence, license obligations, how to run it."
    )


def _charts(rows: dict[str, Row]) -> list[charts.Chart]:
    """Openness against popularity and over release time (build-time SVG)."""
    points = []
    for r in rows.values():
        downloads = r.hub.get("downloads") if r.hub.synced else None
        points.append(
            charts.ChartPoint(
                r.entry.id,
                r.entry.name,
                r.family.name,
                open_count(r.card),
                r.card.open_source,
                r.entry.released,
                downloads if isinstance(downloads, int) else None,
                f"../models/{r.entry.id}/",
            )
        )
    return [charts.openness_vs_popularity(points), charts.openness_over_time(points)]


def _generated_at(hubs: hubview.HubIndex) -> str | None:
    """The data's own time (the newest Hub fetch), never the build's clock: output stays
    byte-identical when nothing changed."""
    newest: dt.datetime | None = hubs.newest
    return newest.isoformat().replace("+00:00", "Z") if newest else None


def _licenses_used(data: SiteData) -> list[tuple[str, Any]]:
    used = sorted({lic for card in data.scores.values() for lic in card.license_ids})
    return [(lic, data.catalog.licenses.get(lic)) for lic in used]
