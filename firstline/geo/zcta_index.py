"""Every ZCTA's state, overlapping jurisdictions (with weights) and districts,
held in each process in flat arrays sorted by code (about 3 MB for the 34,000
ZCTAs), read with one binary search.

It is public Census geography loaded whole, so its content does not depend on
which ZIPs residents typed: a per-ZIP cache would be a list of them. A process
reloads it when ``geography_changed`` has moved the version kept in the
shared cache since it loaded (checked on every use: one cache read).
"""

from __future__ import annotations

import uuid
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache

from firstline.geo.models import Zcta, ZctaDistrict, ZctaJurisdiction
from firstline.geo.signals import geography_changed

VERSION_KEY = "geo:zcta-index:version"
# Far longer than any worker lives; a lost key only costs one reload.
VERSION_TIMEOUT = 30 * 24 * 3600


def _starts(counts: array[int]) -> array[int]:
    starts = array("i", [0])
    total = 0
    for n in counts:
        total += n
        starts.append(total)
    return starts


class ZctaIndex:
    def __init__(self, version: str = "") -> None:
        self.version = version
        rows = Zcta.objects.filter(state__isnull=False).order_by("code")
        self.codes = array("i")
        self.states = array("q")
        for code, state_id in rows.values_list("code", "state_id").iterator(chunk_size=5000):
            self.codes.append(int(code))
            self.states.append(state_id)
        position = {code: i for i, code in enumerate(self.codes)}
        self.link_ids = array("q")
        self.link_weights = array("d")
        counts = array("i", bytes(4 * len(self.codes)))
        for code, jid, weight in self._links(
            ZctaJurisdiction.objects.values_list("zcta__code", "jurisdiction_id", "weight")
        ):
            counts[position[int(code)]] += 1
            self.link_ids.append(jid)
            self.link_weights.append(-1.0 if weight is None else float(weight))
        self.link_start = _starts(counts)
        self.district_ids = array("q")
        counts = array("i", bytes(4 * len(self.codes)))
        for code, did in self._links(ZctaDistrict.objects.values_list("zcta__code", "district_id")):
            counts[position[int(code)]] += 1
            self.district_ids.append(did)
        self.district_start = _starts(counts)

    @staticmethod
    def _links(rows: Any) -> Iterable[tuple[Any, ...]]:
        # Streamed in code order straight into the arrays: no list of 100,000 tuples.
        ordered = rows.filter(zcta__state__isnull=False).order_by("zcta__code")
        return ordered.iterator(chunk_size=5000)  # type: ignore[no-any-return]

    def get(self, code: str) -> tuple[int, list[tuple[int, float | None]], list[int]] | None:
        """``(state id, [(jurisdiction id, weight)], [district id])`` of a 5-digit code."""
        number = int(code)
        i = bisect_left(self.codes, number)
        if i == len(self.codes) or self.codes[i] != number:
            return None
        a, b = self.link_start[i], self.link_start[i + 1]
        links = [
            (jid, None if w < 0 else w)
            for jid, w in zip(self.link_ids[a:b], self.link_weights[a:b], strict=True)
        ]
        c, d = self.district_start[i], self.district_start[i + 1]
        return self.states[i], links, list(self.district_ids[c:d])


_loaded: list[ZctaIndex] = []


def zcta_index(*, version: str | None = None) -> ZctaIndex:
    """This process's index, reloaded if geography changed since it was loaded.
    ``version``: the value of VERSION_KEY, when the caller read it already
    (with its own keys, in one cache read)."""
    if version is None:
        version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, VERSION_TIMEOUT)
        version = cache.get(VERSION_KEY)
    if not _loaded or _loaded[0].version != version:
        _loaded[:] = [ZctaIndex(str(version))]
    return _loaded[0]


def _geography_changed(**kwargs: Any) -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, VERSION_TIMEOUT)


geography_changed.connect(_geography_changed, dispatch_uid="geo_zcta_index_version")
