"""The status rules, written once: `validate` enforces the mechanical ones, and the methodology
page and CONTRIBUTING.md print these same tables (`python -m generator docs` rewrites the
marked block in CONTRIBUTING.md; a test fails when it is out of date)."""

from __future__ import annotations

from dataclasses import dataclass

from generator.catalog.schema import Access, Status


@dataclass(frozen=True)
class StatusRule:
    status: Status
    means: str
    needs: str
    enforced: str  # what `validate` checks mechanically ("" when it is a judgement)


STATUS_RULES: tuple[StatusRule, ...] = (
    StatusRule(
        Status.OPEN,
        "anyone can get all of it; an automatic click-through (accept terms, access "
        "granted at once) counts as open",
        "evidence: public URL(s) showing where it is",
        "evidence required",
    ),
    StatusRule(
        Status.PARTIAL,
        "only a named part is public, or getting it needs a person's approval",
        "evidence, and a note naming what is missing or restricted",
        "evidence and a note required",
    ),
    StatusRule(
        Status.CLOSED,
        "withheld",
        'evidence that says so: a statement ("not released", "proprietary", '
        '"internal"), a license term, a card section. "We found none" is not closed: '
        "it is unknown",
        "evidence required",
    ),
    StatusRule(Status.UNKNOWN, "nobody has verified it yet (unknown is not closed)", "nothing", ""),
)


@dataclass(frozen=True)
class AccessRule:
    access: Access
    hub_gated: str  # the Hub's `gated` value it corresponds to
    means: str
    statuses: frozenset[Status]  # the weights statuses it allows


ACCESS_RULES: tuple[AccessRule, ...] = (
    AccessRule(
        Access.PUBLIC,
        "false",
        "no gate: anyone downloads the files",
        frozenset({Status.OPEN, Status.PARTIAL}),
    ),
    AccessRule(
        Access.CLICK_THROUGH,
        "auto",
        "accept the terms (or share contact details) and access is granted at once",
        frozenset({Status.OPEN, Status.PARTIAL}),
    ),
    AccessRule(
        Access.APPROVAL, "manual", "a person approves each request", frozenset({Status.PARTIAL})
    ),
    AccessRule(
        Access.NONE,
        "(no weights on the Hub)",
        "the weights cannot be downloaded",
        frozenset({Status.CLOSED}),
    ),
)

WEIGHTS_RULE = (
    "Weights are `open` when anyone can download the complete final weights (public or "
    "click-through), `partial` when only some are released or a person must approve access, "
    "`closed` when they cannot be downloaded. Their license is judged once, by the `license` "
    "criterion (OSI-approved: open; open weights with restrictions: partial; non-commercial: "
    "closed), never again inside the weights' status. Released weights record their "
    "license id(s) and their `access`."
)

FACT_RULES: tuple[tuple[str, str], ...] = (
    (
        "params_b",
        (
            "the true parameter count in billions, from the Hub's safetensors total, the "
            "paper or the card, in that order; not the size label in the name"
        ),
    ),
    (
        "context_length",
        (
            "tokens as the model's config or card states (131072 for a 128K window "
            "stated as 2^17; 128000 only where the source says so)"
        ),
    ),
    (
        "released",
        (
            "the developer's release date (card, blog, paper), `YYYY-MM` when only the "
            "month is sourced, else `unknown`"
        ),
    ),
    (
        "sources, evidence",
        (
            "primary sources only: the developer's model card, paper, repository, "
            "blog or license text; aggregators and AI-written wikis are refused"
        ),
    ),
)


def allowed_access(status: Status) -> frozenset[Access]:
    """The `access` values a weights assessment with `status` may have (none for unknown)."""
    return frozenset(r.access for r in ACCESS_RULES if status in r.statuses)


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def rules_markdown() -> str:
    """The status rules as Markdown: one source for the methodology page and CONTRIBUTING."""
    status = _table(
        ("status", "means", "needs", "`validate` checks"),
        [(f"`{r.status.value}`", r.means, r.needs, r.enforced or "—") for r in STATUS_RULES],
    )
    access = _table(
        ("`access`", "Hub `gated`", "means", "weights status"),
        [
            (
                f"`{r.access.value}`",
                f"`{r.hub_gated}`" if r.hub_gated[0] != "(" else r.hub_gated,
                r.means,
                ", ".join(f"`{s.value}`" for s in Status if s in r.statuses),
            )
            for r in ACCESS_RULES
        ],
    )
    facts = _table(("fact", "rule"), [(f"`{k}`", v) for k, v in FACT_RULES])
    return f"{status}\n\n{WEIGHTS_RULE}\n\n{access}\n\n{facts}" + "\n"


# Sites that summarise others' facts (aggregators, AI-written wikis, model hosts' listings):
# never evidence for a status or a fact. Cite the developer's card, paper, repo or license.
AGGREGATOR_DOMAINS: frozenset[str] = frozenset(
    {
        "aiwiki.ai",
        "apxml.com",
        "besthub.dev",
        "wikimili.com",
        "hivebook.ai",
        "deepwiki.com",
        "featherless.ai",
        "llm-stats.com",
        "artificialanalysis.ai",
        "wikipedia.org",
        "auto-driving-wiki.com",
        "chatforest.com",
        "oss.report",
        "llmradar.ai",
        "mungomash.com",
        "noze.it",
        "gigazine.net",
        "deepinfra.com",
        "ollama.com",
        "openrouter.ai",
        "lifearchitect.ai",
        "grokipedia.com",
        "medium.com",
    }
)


def aggregator(url: str) -> str | None:
    """The aggregator domain `url` is on, or None."""
    host = url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0].lower()
    return next((d for d in AGGREGATOR_DOMAINS if host == d or host.endswith("." + d)), None)
