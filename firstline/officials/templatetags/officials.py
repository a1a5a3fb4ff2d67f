"""Display helpers for contacts: translated office classifications, safe links."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

register = template.Library()

CLASSIFICATIONS = {
    "capitol": _("Capitol office"),
    "capitol-mail": _("Capitol mailing address"),
    "district": _("District office"),
    "district-mail": _("District mailing address"),
    "primary": _("Main office"),
    "home": _("Home office"),
    # The office's own contact, from a bundled public listing (create_local_offices).
    "office": pgettext_lazy("contact", "Office"),
    "bundled": pgettext_lazy("contact", "Office"),
    "roster": pgettext_lazy("contact", "Office"),
}


@register.filter
def classification_label(value: str) -> str:
    return str(CLASSIFICATIONS.get(value, value))


@register.filter
def is_link(value: str) -> bool:
    """Only http(s) values become links (a source may also be plain text)."""
    return isinstance(value, str) and value.startswith(("https://", "http://"))


@register.filter
def address_lines(value: str) -> list[str]:
    """Open States separates address lines with ';'."""
    return [part.strip() for part in str(value).split(";") if part.strip()]


NUMBERED = re.compile(r"^(\d+[A-Za-z]?|[A-Z])$")


@register.filter
def district_label(district: Any) -> str:
    """'District 7' for numbered districts; names such as '1st Franklin' or 'Ward 1' as they are."""
    name = getattr(district, "name", "")
    if NUMBERED.match(name):
        return gettext("District %(name)s") % {"name": name}
    return str(name)


@register.filter
def office_title(office: Any) -> str:
    """The office's title in the active language (Spanish when the tables give one)."""
    from firstline.officials.titles import office_display_title

    return office_display_title(office, get_language() or "en")


@register.filter
def unconfirmed_since(term: Any) -> Any:
    """The date a holder's scheduled term ended with no successor on record, else None."""
    return term.unconfirmed_since(timezone.localdate())


@register.filter
def is_stale(contact: Any) -> bool:
    from firstline.officials.selectors import contact_is_stale

    return contact_is_stale(contact=contact)


@register.filter
def role_name(role: str) -> str:
    """A role's human name from the ROLES table (unknown values are shown as they are)."""
    from firstline.officials.roles import ROLES

    info = ROLES.get(role)
    return str(info.singular) if info else role


@register.filter
def contact_kind_label(kind: str) -> str:
    """'Web page' / 'Página web' for a contact kind value."""
    from firstline.officials.models import ContactKind

    try:
        return str(ContactKind(kind).label)
    except ValueError:
        return kind
