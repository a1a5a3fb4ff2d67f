"""The demo's Texas sheriff targets get the bundled office addresses (data/officials/tx_sheriffs.csv)."""

import csv

import pytest
from django.core.management import call_command

from firstline.delivery.models import Target
from firstline.officials.importers_local import DATA_DIR

pytestmark = pytest.mark.django_db


def test_frozen_texas_sheriff_targets_carry_the_bundled_postal_address():
    with (DATA_DIR / "tx_sheriffs.csv").open(encoding="utf-8") as handle:
        bundled = {row["jurisdiction"]: row["address"] for row in csv.DictReader(handle)}
    call_command("seed_demo", verbosity=0)
    targets = Target.objects.filter(campaign__slug="first-line-of-defense-texas", role="sheriff")
    frozen = dict(targets.values_list("jurisdiction__ocd_id", "postal_address"))
    assert len(frozen) > 80
    covered = {ocd_id: frozen[ocd_id] for ocd_id in frozen.keys() & bundled.keys()}
    assert covered == {ocd_id: bundled[ocd_id] for ocd_id in covered}
    # Only a county the file leaves out (Lynn: its agency is not named a sheriff's) lacks one.
    without = {ocd_id for ocd_id, address in frozen.items() if not address}
    assert without == frozen.keys() - bundled.keys()
    assert len(without) <= 2, without
