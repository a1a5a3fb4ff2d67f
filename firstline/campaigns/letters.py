"""Rendering a campaign letter: placeholders, then Markdown, then sanitizing.

The letter body is staff-written Markdown with a few placeholders. It is NOT a
Django template: ``{% ... %}`` tags would let a letter include other
templates or load tag libraries. Only ``{{ name }}`` / ``{{ a.b }}`` drawn
from an explicit allow-list are substituted; anything else is left visible
so staff notice the typo in the preview.

Values are Markdown-escaped before substitution (a county called
"*Star* County" stays literal), Markdown runs with raw HTML disabled, and the
result goes through nh3 with a short tag allow-list, so neither a letter nor
a value can inject markup. The delivery app renders per-office letters with
``letter_render`` and its own values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import nh3
from django.utils.translation import gettext as _
from django.utils.translation import override
from markdown_it import MarkdownIt

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z_]+)?)\s*\}\}")
ALLOWED_PLACEHOLDERS = (
    "official.title",
    "official.name",
    "official.salutation",
    "jurisdiction.name",
    "gaps",
    "signatory_count",
    "campaign.title",
)
ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h2",
    "h3",
    "h4",
    "hr",
    "a",
    "code",
}
_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~])")


def markdown_escape(value: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", value)


@dataclass(frozen=True)
class RenderedLetter:
    html: str
    text: str
    unknown_placeholders: tuple[str, ...]


def letter_fill(template: str, values: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    """Substitute allowed placeholders. ``gaps`` may be a list (rendered as a
    Markdown bullet list); other values are strings."""
    unknown: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in ALLOWED_PLACEHOLDERS or name not in values:
            unknown.append(name)
            return match.group(0)
        value = values[name]
        if isinstance(value, list | tuple):
            return "\n\n" + "\n".join(f"- {markdown_escape(str(v))}" for v in value) + "\n\n"
        return markdown_escape(str(value))

    return PLACEHOLDER.sub(replace, template), tuple(dict.fromkeys(unknown))


def markdown_to_safe_html(markdown: str) -> str:
    html = _MD.render(markdown)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def letter_render(*, template: str, values: dict[str, Any]) -> RenderedLetter:
    filled, unknown = letter_fill(template, values)
    # The text version is the filled Markdown minus the escaping backslashes:
    # Markdown reads well as plain text, which is why letters use it.
    plain = re.sub(r"\\([\\`*_{}\[\]()#+\-.!<>|~])", r"\1", filled)
    return RenderedLetter(
        html=markdown_to_safe_html(filled), text=plain.strip() + "\n", unknown_placeholders=unknown
    )


def sample_values(*, campaign: Any, language: str, signatory_count: int = 0) -> dict[str, Any]:
    """Placeholder values for the public page and the staff preview: the
    campaign's own asks as the gaps, and neutral words for the official."""
    with override(language):
        asks = [
            (p.name_es if language == "es" and p.name_es else p.name_en)
            for p in (campaign.asks.all() if campaign.pk else [])
        ]
        return {
            "official.title": _("[Official's title]"),
            "official.name": _("[Official's name]"),
            "official.salutation": _("Dear [Official's title and name]"),
            "jurisdiction.name": _("[Your jurisdiction]"),
            "gaps": asks or [_("[The protections this jurisdiction is missing]")],
            "signatory_count": str(signatory_count),
            "campaign.title": campaign.title_es
            if language == "es" and campaign.title_es
            else campaign.title,
        }
