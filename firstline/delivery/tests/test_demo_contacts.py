"""The demo's Texas targets get the bundled office addresses: sheriffs from
data/officials/tx_sheriffs.csv, mayors from data/officials/tx_city_halls.csv."""

import csv

import pytest
from django.core.management import call_command

from firstline.delivery.models import Target
from firstline.officials.importers_local import DATA_DIR

pytestmark = pytest.mark.django_db


def _bundled_addresses(name):
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return {row["jurisdiction"]: row["address"] for row in csv.DictReader(handle)}


def _frozen_addresses(role):
    call_command("seed_demo", verbosity=0)
    targets = Target.objects.filter(campaign__slug="first-line-of-defense-texas", role=role)
    return dict(targets.values_list("jurisdiction__ocd_id", "postal_address"))


def test_frozen_texas_sheriff_targets_carry_the_bundled_postal_address():
    bundled = _bundled_addresses("tx_sheriffs.csv")
    frozen = _frozen_addresses("sheriff")
    assert len(frozen) > 80
    covered = {ocd_id: frozen[ocd_id] for ocd_id in frozen.keys() & bundled.keys()}
    assert covered == {ocd_id: bundled[ocd_id] for ocd_id in covered}
    # Only a county the file leaves out (Lynn: its agency is not named a sheriff's) lacks one.
    without = {ocd_id for ocd_id, address in frozen.items() if not address}
    assert without == frozen.keys() - bundled.keys()
    assert len(without) <= 2, without


def test_frozen_texas_mayor_targets_of_bundled_cities_carry_the_city_hall_address():
    bundled = {o: a for o, a in _bundled_addresses("tx_city_halls.csv").items() if a}
    frozen = _frozen_addresses("mayor")
    # Every bundled city is one of the demo's large Texas cities, and its letter has an address.
    assert len(bundled) >= 15
    assert bundled.keys() <= frozen.keys()
    assert {ocd_id: frozen[ocd_id] for ocd_id in bundled} == bundled
