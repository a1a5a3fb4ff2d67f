"""Cleaning hostile text: Unicode normalization, control characters, lengths,
name keys for organization identity, and spreadsheet-safe cells."""

from __future__ import annotations

import re
import unicodedata

# Cc (controls), Cf (format: zero-width, bidi overrides), Co/Cs/Cn: invisible or
# undefined characters that make two names look alike or reorder text.
_DROP_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn"}
_SPACE = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w]+")
# Words that do not distinguish one organization from another.
_FILLER = {
    "of",
    "the",
    "for",
    "and",
    "in",
    "a",
    "an",
    "de",
    "del",
    "la",
    "el",
    "los",
    "las",
    "y",
    "inc",
    "incorporated",
    "llc",
    "corp",
    "corporation",
    "org",
    "co",
    "ltd",
    "chapter",
}


def clean_text(value: str, *, max_length: int | None = None, multiline: bool = False) -> str:
    """NFKC, drop control/format characters, collapse spaces, trim.

    NFKC first, so full-width and compatibility forms (full-width "ACLU") fold to
    their plain equivalents before anything compares them.
    """
    value = unicodedata.normalize("NFKC", value or "")
    kept = []
    for ch in value:
        if ch in "\n\t" and multiline:
            kept.append(ch)
        elif unicodedata.category(ch) in _DROP_CATEGORIES:
            kept.append(" " if ch in "\r\n\t" else "")
        else:
            kept.append(ch)
    value = "".join(kept)
    if multiline:
        value = "\n".join(_SPACE.sub(" ", line).strip() for line in value.split("\n")).strip()
    else:
        value = _SPACE.sub(" ", value).strip()
    if max_length is not None:
        value = value[:max_length]
    return value


def name_key(name: str) -> str:
    """Identity key: "ACLU of Texas", "aclu of texas!" and "ACLU  of  Texas" match."""
    folded = clean_text(name).casefold().replace("&", " and ")
    return " ".join(_NON_WORD.sub(" ", folded).split())[:200]


def similarity_key(name: str) -> str:
    """Near-duplicate key: "ACLU of Texas", "ACLU Texas" and "The ACLU of Texas, Inc." match."""
    words = [w for w in name_key(name).split() if w not in _FILLER]
    return " ".join(words)[:200] or name_key(name)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """A cell spreadsheets will not execute: prefix formula triggers with a quote (OWASP)."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text
