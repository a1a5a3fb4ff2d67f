"""Attach a law-enforcement agency, as ICE names it, to a state, county or place.

The rules, in order (docs/policies.md has the full table and the figures):

1. **Other**: regional, airport, port, university/college, transit, school,
   hospital agencies and constables belong to no single government we model;
   they stay unattached and keep their name and state.
2. **State**: the name starts with the row's state name (not "<State> County",
   e.g. Iowa County, IA) or names a statewide body (state police, highway
   patrol, department of corrections, national guard, attorney general ...).
3. **County**: sheriffs, jails, corrections, detention, county police,
   district attorneys, county commissions and metropolitan police (city-county
   departments such as Las Vegas Metro) attach to a county. The name before
   the role words ("Miami Dade" in "Miami Dade Sheriff's Office") is looked up
   among the state's counties and parishes; then ICE's COUNTY column; then
   each part of a hyphenated consolidated name (Macon-Bibb); then a
   similarity match. Virginia's independent cities are county equivalents
   named "<X> city", so "Richmond City Sheriff" and "Richmond County Sheriff"
   stay apart.
4. **Place**: police and public-safety departments attach to the place named
   before the role words ("City of Y" and trailing City/Town/Village/Borough
   are tried both ways), preferring incorporated places, then the one inside
   ICE's COUNTY, then a census-designated place of that name (New England
   towns), then a unique place whose name starts with it, then a similarity
   match.
5. Townships and wards with no Census place are unattached (``other``).
6. Otherwise ICE's TYPE column decides a last fallback; if nothing fits the
   row is ``unmatched``.

No row's answer is hard-coded: :data:`ALIASES` only maps names that no rule
can read (historic names) onto the Census name, per state.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

# (USPS, normalized name as ICE writes it) -> normalized Census base name.
# Only for true exceptions that no rule can read; each line says why.
ALIASES: dict[tuple[str, str], str] = {
    # "German Coast" is the colonial name of the St. Charles Parish area; ICE's COUNTY column uses it.
    ("LA", "german coast"): "st charles",
}

# Canonical spelling of tokens that are written several ways.
_TOKEN_CANON = {
    "saint": "st", "ste": "ste", "mount": "mt", "fort": "ft", "twp": "township", "countys": "county",
    "co": "county", "dept": "department", "departent": "department", "depart": "department",
    "sheriffs": "sheriff", "sherriffs": "sheriff", "sherrifs": "sheriff", "sherrif": "sheriff",
    "constables": "constable", "constabless": "constable", "constbales": "constable",
    "pd": "police department", "so": "sheriff office",
}  # fmt: skip

_OTHER_KEYWORDS = [
    ("university", "university"), ("college", "college"), ("board of trustees", "university"),
    ("airport", "airport"), ("port authority", "port"), ("seaport", "port"), ("port of", "port"),
    ("regional", "regional"), ("district jail", "regional"), ("transit", "transit"),
    ("school", "school"), ("hospital", "hospital"), ("constable", "constable"), ("police authority", "regional"),
    ("tribal", "tribal"), ("tribe", "tribal"), ("nation police", "tribal"),
    # Maryland "special police" are commissioned for private or institutional employers.
    ("special police", "special police"),
]  # fmt: skip

# Bodies that exist only at state level.
_STATE_KEYWORDS = [
    "state police", "highway patrol", "national guard", "state guard", "attorney general", "bureau of investigation",
    "bureau of narcotics", "department of law enforcement", "division of criminal investigation",
    "law enforcement division", "fire marshal", "department of justice", "gaming control", "wildlife",
    "marine resources", "alcohol and tobacco", "alcoholic beverages", "military department", "lottery",
    "doc law enforcement",
]  # fmt: skip
# Names that counties and cities use too ("Volusia County Division of Corrections",
# "Indian Creek Village Department of Public Safety"): state only when nothing local fits.
_WEAK_STATE_KEYWORDS = [
    "department of corrections", "department of correction", "department of public safety", "department of safety",
    "division of corrections", "department of agriculture", "department of environmental", "department of financial",
    "department of highway",
]  # fmt: skip

_COUNTY_ROLES = [
    "sheriff", "sheriff office", "sheriff department", "corrections", "correctional", "detention", "jail",
    "board of county commissioners", "county commission", "district attorney", "criminal justice authority",
    "metropolitan police", "metro police", "county police",
]  # fmt: skip

_PLACE_ROLES = ["police", "public safety", "marshal", "law enforcement"]

_ROLE_WORDS = {
    "sheriff", "office", "department", "police", "services", "corrections", "correctional", "detention",
    "center", "facility", "jail", "division", "of", "board", "commissioners", "district", "attorney",
    "criminal", "justice", "authority", "public", "safety", "and", "rehabilitation", "marshal", "marshals",
    "the", "metropolitan", "metro", "law", "enforcement", "commission",
}  # fmt: skip

_COUNTY_SUFFIX = re.compile(
    r" (county|parish|borough|census area|city and borough|municipality|planning region|municipio)$"
)
_PLACE_SUFFIX = re.compile(
    r" (city|town|village|borough|cdp|municipality|comunidad|zona urbana|urban county|"
    r"consolidated government|unified government|metropolitan government|metro government)$"
)
_MUNICIPAL_WORDS = ("city", "town", "village", "borough", "township")


def normalize(text: str) -> str:
    """Lower-case ASCII words; apostrophes dropped, punctuation to spaces, spellings made canonical."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ")
    text = re.sub(r"['`]", "", text)
    text = re.sub(r"[^a-z0-9()]+", " ", text)
    words = []
    for word in text.split():
        words.extend(_TOKEN_CANON.get(word, word).split())
    return " ".join(words)


@dataclass(frozen=True)
class Entry:
    """One jurisdiction as the matcher sees it."""

    id: int
    kind: str
    name: str
    usps: str
    geoid: str = ""
    ocd_id: str = ""
    incorporated: bool = True
    population: int = 0
    county_ids: tuple[int, ...] = ()

    @property
    def full(self) -> str:
        return normalize(self.name)

    @property
    def base(self) -> str:
        full = self.full
        if self.kind == "county":
            return _COUNTY_SUFFIX.sub("", full)
        if self.kind == "place":
            # "Indianapolis city (balance)" loses "(balance)", then one legal suffix
            # (only one: "Melbourne Village town" is "melbourne village").
            return (
                _PLACE_SUFFIX.sub("", full.removesuffix(" (balance)"))
                .replace("(", "")
                .replace(")", "")
                .strip()
            )
        return full


@dataclass
class Match:
    level: str  # state | county | place | other | unmatched
    entry: Entry | None = None
    method: str = ""
    score: float = 0.0


@dataclass
class _StateIndex:
    state: Entry
    counties_full: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    counties_base: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    places_base: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))


class Gazetteer:
    """States, counties and places indexed by normalized name, per state."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        entries = list(entries)
        self.states: dict[str, _StateIndex] = {}
        self.state_by_name: dict[str, str] = {}
        for e in entries:
            if e.kind == "state":
                self.states[e.usps] = _StateIndex(state=e)
                self.state_by_name[normalize(e.name)] = e.usps
        for e in entries:
            index = self.states.get(e.usps)
            if index is None or e.kind == "state":
                continue
            if e.kind == "county":
                index.counties_full[e.full].append(e)
                index.counties_base[e.base].append(e)
                bare = re.fullmatch(r"(?:city of (.+)|(.+) city)", e.full)
                if bare:
                    # Independent cities (VA, MD, MO, NV), written "Hopewell city" by the
                    # Census and "City of Hopewell" elsewhere, answer to both and to "Hopewell".
                    name = bare.group(1) or bare.group(2)
                    for alias in {name, f"{name} city"} - {e.full}:
                        index.counties_base[alias].append(e)
            elif e.kind == "place":
                index.places_base[e.base].append(e)

    @classmethod
    def from_db(cls, *, usps: Iterable[str] | None = None) -> Gazetteer:
        from firstline.geo.models import Jurisdiction

        qs = Jurisdiction.objects.all()
        if usps is not None:
            qs = qs.filter(usps__in=list(usps))
        links: dict[int, list[int]] = defaultdict(list)
        through = Jurisdiction.counties.through
        link_qs = through.objects.all()
        if usps is not None:
            link_qs = link_qs.filter(from_jurisdiction__usps__in=list(usps))
        for place_id, county_id in link_qs.values_list(
            "from_jurisdiction_id", "to_jurisdiction_id"
        ).iterator(chunk_size=10000):
            links[place_id].append(county_id)
        rows = qs.values_list(
            "id",
            "kind",
            "name",
            "usps",
            "geoid",
            "ocd_id",
            "incorporated",
            "population",
            "county_id",
        )
        return cls(
            Entry(
                id=pk,
                kind=kind,
                name=name,
                usps=st,
                geoid=geoid,
                ocd_id=ocd,
                incorporated=inc,
                population=pop or 0,
                county_ids=tuple(links.get(pk) or ([county] if county else [])),
            )
            for pk, kind, name, st, geoid, ocd, inc, pop, county in rows.iterator(chunk_size=10000)
        )

    def usps_for(self, state_name: str) -> str | None:
        text = normalize(state_name)
        if text.upper() in self.states:
            return text.upper()
        return self.state_by_name.get(text)

    # -- the matcher --------------------------------------------------------------

    def match(self, *, usps: str, agency: str, type_: str = "", county: str = "") -> Match:
        index = self.states.get(usps)
        if index is None:
            return Match("unmatched", method="unknown state")
        name = normalize(agency)
        padded = f" {name} "
        county_hint = self._county_hint(index, county)

        for keyword, label in _OTHER_KEYWORDS:
            if f" {keyword} " in padded:
                return Match("other", method=f"other:{label}", score=1.0)

        state_name = normalize(index.state.name)
        starts_with_state = name.startswith(state_name + " ") and not re.match(
            rf"{re.escape(state_name)} (county|parish)\b", name
        )
        if starts_with_state or any(f" {k} " in padded for k in _STATE_KEYWORDS):
            return Match(
                "state", index.state, "state:agency name", 1.0 if starts_with_state else 0.9
            )
        weak_state = any(f" {k} " in padded for k in _WEAK_STATE_KEYWORDS)

        subject = self._subject(name)
        has_county_word = bool(re.search(r"\b(county|parish)\b", subject))
        county_role = has_county_word or any(f" {r} " in padded for r in _COUNTY_ROLES)
        place_role = any(f" {r} " in padded for r in _PLACE_ROLES)

        if county_role:
            found = self._match_county(index, subject, county_hint)
            if found:
                return found
            if not has_county_word and place_role:
                found = self._match_place(index, subject, county_hint)
                if found:
                    return found
        else:
            found = self._match_place(index, subject, county_hint)
            if found:
                return found
            if re.search(r"\b(township|ward)\b", subject):
                return Match("other", method="other:township or ward (no Census place)", score=0.9)

        if weak_state or normalize(type_) == "state agency":
            return Match("state", index.state, "state:statewide body (TYPE or role)", 0.7)
        if county_hint is not None and normalize(type_) == "county":
            return Match("county", county_hint, "county:COUNTY column (TYPE fallback)", 0.5)
        return Match("unmatched", method="unmatched")

    # -- helpers ----------------------------------------------------------------------

    @staticmethod
    def _subject(name: str) -> str:
        """The words before the role words: 'st charles place' in 'st charles place sheriff office'."""
        words = name.split()
        for prefix in (
            ["city", "of"],
            ["town", "of"],
            ["village", "of"],
            ["borough", "of"],
            ["the"],
        ):
            if words[: len(prefix)] == prefix:
                words = words[len(prefix) :]
        for i, word in enumerate(words):
            if word in _ROLE_WORDS and i > 0:
                # "Metro Police Authority of X County" style: the subject follows "of".
                return " ".join(words[:i])
        if words and words[0] in _ROLE_WORDS:
            tail = [w for w in words if w not in _ROLE_WORDS]
            return " ".join(tail)
        return " ".join(words)

    def _county_hint(self, index: _StateIndex, county: str) -> Entry | None:
        text = normalize(county)
        if not text or text in {"n a", "na", "none"}:
            return None
        text = ALIASES.get((index.state.usps, _COUNTY_SUFFIX.sub("", text)), text)
        found = self._lookup_county(index, text)
        if found:
            return found[0]
        # A misspelt COUNTY ("Lampass", "Berrian") is still the best clue we have.
        close = self._close(_COUNTY_SUFFIX.sub("", text), index.counties_base)
        return close[0] if close else None

    @staticmethod
    def _lookup_county(index: _StateIndex, text: str) -> tuple[Entry, float] | None:
        text = ALIASES.get((index.state.usps, text), text)
        if text in index.counties_full and len(index.counties_full[text]) == 1:
            return index.counties_full[text][0], 1.0
        base = _COUNTY_SUFFIX.sub("", text)
        base = ALIASES.get((index.state.usps, base), base)
        candidates = index.counties_base.get(base, [])
        if not candidates:
            return None
        if len(candidates) > 1:
            # "Franklin" in VA is both Franklin County and Franklin city: without
            # "city" in the name the county is meant.
            counties = [c for c in candidates if not re.search(r"(^city of | city$)", c.full)]
            if len(counties) == 1:
                return counties[0], 0.9
            return None
        return candidates[0], 1.0

    @staticmethod
    def _close(
        text: str, table: dict[str, list[Entry]], cutoff: float = 0.85
    ) -> tuple[Entry, float] | None:
        if len(text) < 4:
            return None
        best = difflib.get_close_matches(text, list(table), n=2, cutoff=cutoff)
        if not best:
            return None
        ratio = difflib.SequenceMatcher(None, text, best[0]).ratio()
        if len(best) > 1 and difflib.SequenceMatcher(None, text, best[1]).ratio() >= ratio - 0.02:
            return None  # two names equally close: do not guess
        entries = table[best[0]]
        return (entries[0], ratio) if len(entries) == 1 else None

    def _match_county(self, index: _StateIndex, subject: str, hint: Entry | None) -> Match | None:
        words = subject.split()
        if "county" in words or "parish" in words:
            cut = min(words.index(w) for w in ("county", "parish") if w in words)
            before = words[:cut]
            # "Macon Bibb County": the whole phrase, then shorter tails ("Bibb")
            # for consolidated city-counties that put the city first.
            phrases = [(" ".join(before[i:]), i > 0) for i in range(len(before))]
        else:
            # "St Charles Place": the whole phrase, then shorter heads.
            phrases = [
                (" ".join(words[:end]), end < len(words)) for end in range(len(words), 0, -1)
            ]
        for phrase, shortened in phrases:
            found = self._lookup_county(index, phrase)
            if not found:
                continue
            entry, score = found
            method = "county:name" + (" (part)" if shortened else "")
            if shortened:
                score = min(score, 0.8)
            if hint is not None:
                if hint.id == entry.id:
                    return Match(
                        "county", entry, method + " = COUNTY column", min(1.0, score + 0.1)
                    )
                if shortened:
                    # A partial name that disagrees with ICE's COUNTY column is weaker than the column.
                    return Match("county", hint, "county:COUNTY column (name part differs)", 0.8)
                return Match("county", entry, method + " (COUNTY column differs)", score * 0.9)
            return Match("county", entry, method, score)
        if hint is not None:
            return Match("county", hint, "county:COUNTY column", 0.9)
        base = phrases[0][0] if phrases else subject
        close = self._close(base, index.counties_base)
        if close:
            return Match(
                "county",
                close[0],
                f"county:similar name ({close[1]:.2f})",
                round(close[1] * 0.9, 2),
            )
        return None

    def _match_place(self, index: _StateIndex, subject: str, hint: Entry | None) -> Match | None:
        variants = [subject]
        words = subject.split()
        if len(words) > 1 and words[-1] in _MUNICIPAL_WORDS:
            variants.append(" ".join(words[:-1]))
        for variant in variants:
            candidates = index.places_base.get(variant, [])
            picked = self._pick_place(candidates, hint, "place:name") if candidates else None
            if picked:
                return picked
        for variant in variants:
            starts = [
                e
                for base, es in index.places_base.items()
                if base.startswith(variant + " ")
                for e in es
            ]
            incorporated = [e for e in starts if e.incorporated]
            if len(incorporated) == 1:
                return Match("place", incorporated[0], "place:name starts with", 0.8)
        incorporated_table = {
            base: [e for e in es if e.incorporated]
            for base, es in index.places_base.items()
            if any(e.incorporated for e in es)
        }
        for variant in variants:
            close = self._close(variant, incorporated_table, cutoff=0.85)
            if close:
                return Match(
                    "place",
                    close[0],
                    f"place:similar name ({close[1]:.2f})",
                    round(close[1] * 0.9, 2),
                )
        return None

    @staticmethod
    def _pick_place(candidates: list[Entry], hint: Entry | None, method: str) -> Match | None:
        incorporated = [c for c in candidates if c.incorporated]
        pool = incorporated or candidates
        suffix = "" if incorporated else " (census-designated place)"
        base_score = 1.0 if incorporated else 0.6
        if not incorporated and hint is not None:
            # A census-designated place is only a stand-in for a town; one in
            # another county than ICE's COUNTY column is a different place.
            pool = [c for c in pool if hint.id in c.county_ids]
            if not pool:
                return None
        if len(pool) == 1:
            entry = pool[0]
            if hint is not None and hint.id not in entry.county_ids:
                return Match(
                    "place", entry, f"{method}{suffix} (outside COUNTY column)", base_score * 0.9
                )
            return Match("place", entry, f"{method}{suffix}", base_score)
        if hint is not None:
            inside = [c for c in pool if hint.id in c.county_ids]
            if len(inside) == 1:
                return Match("place", inside[0], f"{method}{suffix} + COUNTY column", base_score)
        largest = max(pool, key=lambda c: c.population)
        return Match(
            "place", largest, f"{method}{suffix} (largest of {len(pool)})", base_score * 0.6
        )
