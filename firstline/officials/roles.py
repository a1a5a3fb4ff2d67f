"""One table of facts about each official role; every other module reads it.

Adding a role takes a ``Role`` choice (models.py, plus its migration) and one
``RoleInfo`` entry here; :func:`role_info` fails loudly for a role without one,
and a test checks that every ``Role`` has an entry (see docs/officials.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firstline.officials.models import Role


class Level(models.TextChoices):
    STATE = "state", _("State")
    COUNTY = "county", _("County")
    PLACE = "place", _("City or town")


@dataclass(frozen=True)
class RoleInfo:
    role: Role
    order: int  # display order within a jurisdiction: executives first, then bodies, then members
    level: Level
    singular: Promise
    plural: Promise
    # Letter salutations; placeholders: {family_name}, {name} (a holder) or {title} (the office).
    salutation_en: str
    salutation_es: str
    body: bool = False  # a board or council, addressed as a whole
    acts_on: frozenset[str] = frozenset()  # policy catalog levels this office can act at
    openstates_type: str = ""  # the role ``type`` Open States files an executive under
    targetable: bool = True  # offered when a campaign chooses its targets

    @property
    def name(self) -> Promise:
        return self.singular

    def salutation(
        self, *, language: str, title: str, name: str = "", family_name: str = ""
    ) -> str:
        """'Dear Sheriff Garcia'; for a body or a seat with no known holder, its title."""
        if self.body:
            if language == "es":
                return f"Estimados miembros {_of_the_body_es(title)}"
            return f"Dear Members of the {title}"
        if not name:
            return OFFICE_SALUTATION[language == "es"].format(title=title)
        pattern = self.salutation_es if language == "es" else self.salutation_en
        return pattern.format(name=name, family_name=family_name or name, title=title)


# Spanish joins "de" to the body's article ("del Tribunal", "de la Junta"); a
# body whose noun is not listed here keeps a bare "de" rather than a wrong gender.
_BODY_ARTICLES_ES = {
    **dict.fromkeys(("asamblea", "cámara", "comisión", "corte", "junta", "legislatura"), "de la"),
    **dict.fromkeys(("cabildo", "comité", "concejo", "consejo", "jurado", "tribunal"), "del"),
}


def _of_the_body_es(title: str) -> str:
    """'del Tribunal de Comisionados…', 'de la Junta de Supervisores…'."""
    first = title.split(maxsplit=1)[0].casefold() if title else ""
    return f"{_BODY_ARTICLES_ES.get(first, 'de')} {title}"


OFFICE_SALUTATION = ("Dear {title}", "Estimado/a {title}")
STATE, COUNTY, CITY = frozenset({"state"}), frozenset({"county"}), frozenset({"city"})

_ENTRIES = (
    RoleInfo(Role.GOVERNOR, 0, Level.STATE, _("Governor"), _("Governors"),
             "Dear Governor {family_name}", "Estimado/a Gobernador/a {family_name}", acts_on=STATE, openstates_type="governor"),
    RoleInfo(Role.MAYOR, 1, Level.PLACE, _("Mayor"), _("Mayors"),
             "Dear Mayor {family_name}", "Estimado/a Alcalde/sa {family_name}", acts_on=CITY),
    RoleInfo(Role.COUNTY_EXECUTIVE, 2, Level.COUNTY, _("County Executive"), _("County Executives"),
             "Dear County Executive {family_name}",
             "Estimado/a Ejecutivo/a del Condado {family_name}", acts_on=COUNTY),
    RoleInfo(Role.LT_GOVERNOR, 3, Level.STATE, _("Lieutenant Governor"), _("Lieutenant Governors"),
             "Dear Lieutenant Governor {family_name}", "Estimado/a Vicegobernador/a {family_name}",
             acts_on=STATE, openstates_type="lt_governor", targetable=False),
    RoleInfo(Role.ATTORNEY_GENERAL, 4, Level.STATE, _("Attorney General"), _("Attorneys General"),
             "Dear Attorney General {family_name}", "Estimado/a Fiscal General {family_name}",
             acts_on=STATE, openstates_type="attorney general"),
    RoleInfo(Role.SECRETARY_OF_STATE, 5, Level.STATE, _("Secretary of State"),
             _("Secretaries of State"), "Dear Secretary {family_name}",
             "Estimado/a Secretario/a {family_name}", acts_on=STATE, openstates_type="secretary of state", targetable=False),
    RoleInfo(Role.TREASURER, 6, Level.STATE, _("Treasurer"), _("Treasurers"),
             "Dear Treasurer {family_name}", "Estimado/a Tesorero/a {family_name}", openstates_type="treasurer", targetable=False),
    RoleInfo(Role.AUDITOR, 7, Level.STATE, _("Auditor"), _("Auditors"),
             "Dear Auditor {family_name}", "Estimado/a Auditor/a {family_name}", openstates_type="auditor", targetable=False),
    RoleInfo(Role.CHIEF_ELECTION_OFFICER, 8, Level.STATE, _("Chief Election Officer"),
             _("Chief Election Officers"), "Dear {name}", "Estimado/a {name}", openstates_type="chief election officer", targetable=False),
    RoleInfo(Role.STATEWIDE_OTHER, 9, Level.STATE, _("Statewide officer"), _("Statewide officers"),
             "Dear {name}", "Estimado/a {name}", acts_on=STATE, targetable=False),
    RoleInfo(Role.SHERIFF, 10, Level.COUNTY, _("Sheriff"), _("Sheriffs"),
             "Dear Sheriff {family_name}", "Estimado/a Alguacil {family_name}",
             # The jail and the sheriff's office only: county ordinances are the board's.
             acts_on=frozenset({"sheriff"})),
    RoleInfo(Role.DISTRICT_ATTORNEY, 11, Level.COUNTY, _("Chief prosecutor"),
             _("Chief prosecutors"), "Dear {name}", "Estimado/a {name}",
             acts_on=frozenset({"county", "court"})),
    RoleInfo(Role.COUNTY_BOARD, 12, Level.COUNTY, _("County governing body"),
             _("County governing bodies"), "", "", body=True, acts_on=COUNTY),
    RoleInfo(Role.COUNTY_COMMISSIONER, 13, Level.COUNTY, _("County Commissioner"),
             _("County Commissioners"), "Dear Commissioner {family_name}",
             "Estimado/a Comisionado/a {family_name}", acts_on=COUNTY),
    RoleInfo(Role.PLACE_BOARD, 14, Level.PLACE, _("City or town council"),
             _("City and town councils"), "", "", body=True, acts_on=CITY),
    RoleInfo(Role.COUNCIL_MEMBER, 15, Level.PLACE,
             pgettext_lazy("official", "Council Member"), _("Council Members"),
             "Dear Council Member {family_name}", "Estimado/a Concejal/a {family_name}",
             acts_on=CITY),
    RoleInfo(Role.STATE_SENATOR, 16, Level.STATE, _("State Senator"), _("State Senators"),
             "Dear Senator {family_name}", "Estimado/a Senador/a {family_name}", acts_on=STATE),
    RoleInfo(Role.LEGISLATOR, 17, Level.STATE, _("Legislator"), _("Legislators"),
             "Dear {name}", "Estimado/a {name}", acts_on=STATE),
    RoleInfo(Role.STATE_REPRESENTATIVE, 18, Level.STATE, _("State Representative"),
             _("State Representatives"), "Dear Representative {family_name}",
             "Estimado/a Representante {family_name}", acts_on=STATE),
)  # fmt: skip

ROLES: dict[str, RoleInfo] = {entry.role.value: entry for entry in _ENTRIES}


def role_info(role: str) -> RoleInfo:
    """The table entry for ``role``; a role without one is a programming error, not a default."""
    try:
        return ROLES[role]
    except KeyError:
        raise KeyError(f"officials.roles.ROLES has no entry for role {role!r}") from None


def roles_at(level: Level | str) -> tuple[str, ...]:
    """The roles of one level, in display order."""
    return tuple(
        r.role.value for r in sorted(ROLES.values(), key=lambda r: r.order) if r.level == level
    )


def role_order(role: str) -> int:
    return role_info(role).order


def role_choices(*, targetable_only: bool = False) -> list[tuple[str, Promise]]:
    """(value, human name) for forms, in display order."""
    entries = sorted(ROLES.values(), key=lambda r: r.order)
    return [(r.role.value, r.singular) for r in entries if r.targetable or not targetable_only]


def openstates_executive_roles() -> dict[str, Role]:
    """Open States executive role types -> our roles."""
    return {r.openstates_type: r.role for r in ROLES.values() if r.openstates_type}
