"""An office's title in the active language, composed from the catalogs.

Stored titles are the official English ones ("State Representative, Texas
House District 134", "Mayor of Houston, TX"); the local tables give a Spanish
title for county and city seats. Where they give none, the Spanish title is
built from the role's name (the ROLES table), the district's chamber and the
place's natural name, so no English is left on a Spanish page.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, pgettext

from firstline.geo.names import district_display_name, jurisdiction_display_name
from firstline.officials.roles import ROLES


def office_display_title(office: Any, language: str) -> str:
    if language != "es":
        return str(office.title)
    if office.title_es:
        return str(office.title_es)
    info = ROLES.get(office.role)
    if info is None:
        return str(office.title)
    values = {"role": str(info.singular)}
    if office.district_id is not None:
        values["where"] = district_display_name(office.district)
        title = pgettext("office title", "%(role)s, %(where)s") % values
        seats = getattr(office.district, "num_seats", 1)
        if seats > 1:
            title += " " + gettext("(seat %(seat)s of %(seats)s)") % {
                "seat": office.seat,
                "seats": seats,
            }
        return title
    values["place"] = jurisdiction_display_name(office.jurisdiction)
    return pgettext("office title", "%(role)s of %(place)s") % values
