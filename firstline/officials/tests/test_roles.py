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
    assert board.salutation(
        language="es", title="Tribunal de Comisionados del Condado de Harris"
    ) == ("Estimados miembros de Tribunal de Comisionados del Condado de Harris")


def test_targeting_choices_use_human_names():
    choices = dict(role_choices(targetable_only=True))
    with translation.override("es"):
        assert str(choices[Role.SHERIFF]) == "Alguacil"
    with translation.override("en"):
        assert str(choices[Role.SHERIFF]) == "Sheriff"
        assert str(choices[Role.COUNTY_BOARD]) == "County governing body"
    assert Role.TREASURER not in choices
