"""The ROLES table: complete, ordered, and what every reader sees."""

import pytest
from django.utils import translation

from firstline.officials.models import Role
from firstline.officials.roles import ROLES, Level, role_choices, role_info, role_order, roles_at


def test_every_role_has_exactly_one_entry():
    assert set(ROLES) == set(Role.values)
    orders = [info.order for info in ROLES.values()]
    assert len(orders) == len(set(orders)), "two roles share a display order"


def test_a_missing_entry_fails_loudly():
    with pytest.raises(KeyError, match="no entry for role 'dogcatcher'"):
        role_info("dogcatcher")
    with pytest.raises(KeyError):
        role_order("dogcatcher")


def test_levels_and_bodies():
    assert Role.SHERIFF in roles_at(Level.COUNTY)
    assert Role.COUNTY_BOARD in roles_at(Level.COUNTY)
    assert Role.DISTRICT_ATTORNEY in roles_at(Level.COUNTY)
    assert Role.PLACE_BOARD in roles_at(Level.PLACE) and Role.MAYOR in roles_at(Level.PLACE)
    assert ROLES[Role.COUNTY_BOARD].body and not ROLES[Role.SHERIFF].body
    # Executives come first on a jurisdiction page.
    assert role_order(Role.GOVERNOR) < role_order(Role.SHERIFF) < role_order(Role.STATE_SENATOR)


def test_salutations_in_both_languages():
    sheriff = ROLES[Role.SHERIFF]
    title = "Sheriff of Harris County"
    assert (
        sheriff.salutation(language="en", title=title, name="Ana Garcia", family_name="Garcia")
        == "Dear Sheriff Garcia"
    )
    assert (
        sheriff.salutation(language="es", title=title, name="Ana Garcia", family_name="Garcia")
        == "Estimado/a Alguacil Garcia"
    )
    # No known holder: the office by its title.
    assert sheriff.salutation(language="en", title=title) == "Dear Sheriff of Harris County"
    board = ROLES[Role.COUNTY_BOARD]
    court = "Harris County Commissioners Court"
    assert board.salutation(language="en", title=court, name="X") == f"Dear Members of the {court}"
    # Spanish joins "de" to the body's article, by the gender of its noun.
    spanish = {
        "Tribunal de Comisionados del Condado de Harris": "del Tribunal de Comisionados",
        "Junta de Supervisores del Condado de Los Ángeles": "de la Junta de Supervisores",
        "Concejo Municipal de Houston": "del Concejo Municipal",
        "Legislatura del Condado de Erie": "de la Legislatura del Condado",
        "Asamblea del Municipio de Anchorage": "de la Asamblea del Municipio",
        "Comisión del Condado de Miami-Dade": "de la Comisión del Condado",
        # A noun the table does not know keeps a bare "de", never a wrong gender.
        "Gobierno Metropolitano de Nashville": "de Gobierno Metropolitano",
    }
    for title, expected in spanish.items():
        said = board.salutation(language="es", title=title)
        assert said.startswith(f"Estimados miembros {expected}"), said


def test_targeting_choices_use_human_names():
    choices = dict(role_choices(targetable_only=True))
    with translation.override("es"):
        assert str(choices[Role.SHERIFF]) == "Alguacil"
    with translation.override("en"):
        assert str(choices[Role.SHERIFF]) == "Sheriff"
        assert str(choices[Role.COUNTY_BOARD]) == "County governing body"
    assert Role.TREASURER not in choices
