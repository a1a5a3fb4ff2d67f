"""The per-state rules that map Census SLD codes to Open States district names."""

import csv
from collections import defaultdict

from firstline.officials.importers import (
    DISTRICTS_CSV,
    SLD_NAMES_CSV,
    name_key,
    open_text,
    os_chamber,
    sld_candidates,
)


def _os_districts():
    names = defaultdict(dict)
    with open_text(DISTRICTS_CSV) as handle:
        for n, row in enumerate(csv.DictReader(handle)):
            names[(row["state"], row["chamber"])][row["district"]] = n
    return names


def _candidates(names, usps, chamber, code, census_name):
    target = names.get((usps, os_chamber(usps, chamber)), {})
    keyed = {name_key(n): pk for n, pk in target.items()}
    pks = sld_candidates(
        usps=usps,
        chamber=os_chamber(usps, chamber),
        code=code,
        census_name=census_name,
        names=target,
        keyed=keyed,
    )
    by_pk = {pk: n for n, pk in target.items()}
    return [by_pk[pk] for pk in pks]


def test_name_key_normalises_spelling():
    assert name_key("Berkshire-Hampden-Franklin-Hampshire District") == name_key(
        "Berkshire, Hampden, Franklin and Hampshire"
    )
    assert name_key("State House District Carroll 02") == name_key("Carroll 2")
    assert name_key("Chittenden South East Senatorial District") == name_key("Chittenden Southeast")
    assert name_key("First Middlesex District") == name_key("1st Middlesex")


def test_state_rules_on_examples():
    names = _os_districts()
    assert _candidates(
        names, "MA", "upper", "D01", "Berkshire-Hampden-Franklin-Hampshire District"
    ) == ["Berkshire, Hampden, Franklin and Hampshire"]
    assert _candidates(names, "MA", "lower", "43", "2nd Franklin District") == ["2nd Franklin"]
    assert _candidates(names, "NH", "lower", "102", "State House District Carroll 02") == [
        "Carroll 2"
    ]
    assert _candidates(
        names, "VT", "upper", "CHS", "Chittenden South East Senatorial District"
    ) == ["Chittenden Southeast"]
    assert _candidates(
        names, "VT", "lower", "WWB", "Windham-Windsor-Bennington State House District"
    ) == ["Windham-Windsor-Bennington"]
    assert _candidates(names, "AK", "upper", "B", "State Senate District B") == ["B"]
    assert _candidates(names, "ID", "lower", "7", "State House District 7") == ["7A", "7B"]
    assert _candidates(names, "NE", "upper", "12", "Legislative District 12") == ["12"]
    assert _candidates(names, "TX", "upper", "007", "State Senate District 7") == ["7"]
    # A code that names nothing is reported, not guessed.
    assert _candidates(names, "TX", "upper", "99", "State Senate District 99") == []


def test_every_census_code_in_the_bundled_names_file_maps():
    names = _os_districts()
    unmapped = []
    with open_text(SLD_NAMES_CSV) as handle:
        for row in csv.DictReader(handle):
            if not _candidates(
                names, row["state"], row["chamber"], row["district"], row["district_name"]
            ):
                unmapped.append(row)
    assert unmapped == []
