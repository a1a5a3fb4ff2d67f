"""Every public page, with real ids from the loaded national data (issue 17).

The routes come from the URLconf and the PUBLIC set of test_authorization, so a
new public page is crawled without editing this list; each route's arguments
are filled from real rows (Texas, Illinois and California, their largest
county and city, their officials, the demo campaign...). Routes answering
something other than a page (images, JSON, POST-only endpoints) are skipped.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.urls import NoReverseMatch, get_resolver, reverse
from django.utils import translation

from firstline.core.tests.test_authorization import PUBLIC, _walk

# Real ZIP codes the crawl looks up: downtown Houston, Chicago and Los Angeles.
ZIPS = ("77002", "60601", "90012")
STATES = ("TX", "IL", "CA")
NOT_PAGES = {
    "set_language",
    "staff_login",
    "policies:map_svg",
    "policies:map_labels",
    "campaigns:sign",
    "campaigns:jurisdictions",
    "campaigns:challenge",
    "campaigns:share_image",
    "geo:jurisdiction_search",
    "residents:preview",
    "residents:call",
}


def _jurisdictions(using: str) -> list[Any]:
    from firstline.geo.models import Jurisdiction, JurisdictionKind

    found = []
    for usps in STATES:
        state = Jurisdiction.objects.using(using).get(kind=JurisdictionKind.STATE, usps=usps)
        found.append(state)
        for kind in (JurisdictionKind.COUNTY, JurisdictionKind.PLACE):
            biggest = (
                Jurisdiction.objects.using(using)
                .filter(state=state, kind=kind, incorporated=True)
                .order_by("-population")
                .first()
            )
            if biggest is not None:
                found.append(biggest)
    return found


def _values(using: str) -> dict[str, list[str]]:
    """Real values for each URL argument name."""
    from firstline.campaigns.models import Campaign, CampaignStatus, Signature
    from firstline.campaigns.services import signature_token
    from firstline.officials.models import Office
    from firstline.policies.models import Policy

    places = _jurisdictions(using)
    offices = Office.objects.using(using)
    chosen = list(
        offices.filter(jurisdiction__in=places, district__isnull=True).order_by("role")[:6]
    ) + list(offices.filter(district__state__usps="TX").order_by("pk")[:1])
    campaigns = list(
        Campaign.objects.using(using).exclude(status=CampaignStatus.DRAFT).order_by("pk")[:2]
    )
    signature = Signature.objects.using(using).order_by("pk").first()
    tokens = [signature_token(signature=signature)] if signature else []
    return {
        "ocd_id": [j.ocd_id for j in places],
        "pk": [str(o.pk) for o in chosen],
        "office_id": [str(o.pk) for o in chosen],
        "slug": [c.slug for c in campaigns],
        "policies:slug": list(
            Policy.objects.using(using).order_by("sort_order").values_list("slug", flat=True)[:4]
        ),
        "token": [*tokens, "not-a-valid-token"],
    }


def public_paths(language: str, using: str = "default") -> list[str]:
    """Paths of every public page in ``language``, each argument filled with real values."""
    values = _values(using)
    paths: set[str] = set()
    with translation.override(language):
        for name, pattern in _walk(get_resolver()):
            if name not in PUBLIC or name in NOT_PAGES:
                continue
            keys = list(pattern.pattern.converters)
            if not keys:
                paths.add(reverse(name))
                continue
            # One argument per public route; every real value of its kind is
            # tried (a policy slug is no campaign slug: those 404s are dropped).
            kind = f"{name.split(':')[0]}:{keys[0]}"
            for value in values.get(kind, values.get(keys[0], [])):
                try:
                    paths.add(reverse(name, kwargs={keys[0]: value}))
                except NoReverseMatch:
                    continue
    return sorted(p for p in paths if p.startswith(f"/{language}/"))


def english_words() -> set[str]:
    """Words of the catalogs' English msgids that no Spanish msgstr uses.

    Words identical in both languages (Texas, ICE, total), proper nouns (any
    word written with a capital inside a msgid is a name: Firstline, Census)
    and placeholders are left out, as are words under four letters.
    """
    root = Path(__file__).resolve().parents[3]
    msgids: list[str] = []
    spanish: set[str] = set()
    for po in [
        *root.glob("firstline/*/locale/es/LC_MESSAGES/django.po"),
        root / "locale/es/LC_MESSAGES/django.po",
    ]:
        current = None
        for line in po.read_text(encoding="utf-8").splitlines():
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?|msgctxt) "(.*)"$', line)
            if match:
                current = match.group(1)
                text = match.group(2)
            elif line.startswith('"') and current:
                text = line[1:-1]
            else:
                current = None
                continue
            if current.startswith("msgstr"):
                spanish.update(w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ]+", text))
            elif current.startswith("msgid"):
                msgids.append(text)
    words: set[str] = set()
    names: set[str] = set()
    for text in msgids:
        text = re.sub(r"%\(\w+\)[sd]|\{\w+\}|<[^>]+>|https?://\S+", " ", text)
        tokens = re.findall(r"[A-Za-z]+(?:'[a-z]+)?", text)
        for i, token in enumerate(tokens):
            if i and token[0].isupper():
                names.add(token.lower())
            words.add(token.lower())
    return {
        w
        for w in words - spanish - names - SPANISH_TOO
        if len(w) >= 4 and "'" not in w and w.isascii()
    }


# Text that is data, not interface: people's, agencies' and places' names as
# the sources write them, addresses, citations. Templates mark it translate="no".
VISIBLE_TEXT_JS = """() => {
  // The map's shapes carry place names from the map data.
  const skip = (el) => el.closest('[translate="no"], body [lang="en"], svg, script, style, noscript, .visually-hidden, [hidden]');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const out = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || skip(el)) continue;
    out.push(n.nodeValue);
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], input[type=submit], button')) {
    if (skip(el)) continue;
    for (const a of ['aria-label', 'title', 'placeholder']) if (el.getAttribute(a)) out.push(el.getAttribute(a));
  }
  return out.join(' ');
}"""


# Words Spanish uses as they are (the policy catalog writes "alguaciles
# (sheriffs)"), and language names, which are written in their own language.
SPANISH_TOO = {"sheriff", "sheriffs", "english"}


def data_words(using: str = "default") -> set[str]:
    """Words of names in the data: places, people, organizations, researchers.

    A place called Live Oak or Will County, a person or an organization keeps
    its name in Spanish; templates show these names, and they are not English
    interface text.
    """
    from firstline.campaigns.models import Organization
    from firstline.geo.models import Jurisdiction
    from firstline.officials.models import Person
    from firstline.policies.models import ResearchCheck

    found: set[str] = set()
    for values in (
        Jurisdiction.objects.using(using).values_list("short_name", flat=True),
        Person.objects.using(using).values_list("name", flat=True),
        Organization.objects.using(using).values_list("name", flat=True),
        ResearchCheck.objects.using(using).values_list("checked_by", flat=True).distinct(),
    ):
        for value in values:
            found.update(w.lower() for w in re.findall(r"[A-Za-z]+", value or ""))
    return found


def english_found(text: str, vocabulary: set[str]) -> list[str]:
    text = re.sub(r"https?://\S+|\S+@\S+", " ", text)
    # Identifiers are code, not prose: file names (legal_events.csv) and the
    # snake_case values a column dictionary lists (in_force, struck_down).
    text = re.sub(r"\S+\.(?:csv|geojson|json)\b|\b[a-z0-9]+(?:_[a-z0-9]+)+\b", " ", text)
    # Whole words, accents included: "adoptó" is not "adopt".
    return sorted({w for w in re.findall(r"[^\W\d_]+", text) if w.lower() in vocabulary})
