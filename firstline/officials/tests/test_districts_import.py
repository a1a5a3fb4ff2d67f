"""districts.csv and crosswalk errors: a clear message, and nothing changed."""

import gzip
import shutil
from io import StringIO

import pytest
from django.core.management import call_command

from firstline.geo.models import District, ZctaDistrict
from firstline.lib.importing import ImportFailed
from firstline.officials.importers import DISTRICTS_CSV, ZCTA_SLD_CSV
from firstline.officials.models import Office

pytestmark = pytest.mark.django_db


def _csv_lines(path):
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return handle.read().splitlines()


def test_bad_number_names_file_line_and_field(tmp_path):
    lines = _csv_lines(DISTRICTS_CSV)
    lines[200] = lines[200].rsplit(",", 2)[0] + ",two," + lines[200].rsplit(",", 1)[1]
    bad = tmp_path / "districts.csv"
    bad.write_text("\n".join(lines) + "\n")
    before = (District.objects.count(), Office.objects.count())
    with pytest.raises(ImportFailed) as info:
        call_command("import_districts", str(bad), stdout=StringIO())
    assert str(info.value) == f"{bad}, line 201, field 'num_seats': not a number: 'two'"
    assert (District.objects.count(), Office.objects.count()) == before


def test_missing_column_is_refused(tmp_path):
    lines = _csv_lines(DISTRICTS_CSV)
    bad = tmp_path / "districts.csv"
    bad.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n")
    with pytest.raises(ImportFailed, match=r"missing column.*division_id"):
        call_command("import_districts", str(bad), stdout=StringIO())


def test_crosswalk_with_bad_zcta_changes_nothing(tmp_path):
    lines = _csv_lines(ZCTA_SLD_CSV)
    lines[5000] = lines[5000].rsplit(",", 1)[0] + ",9A123"
    bad = tmp_path / "crosswalk.csv"
    bad.write_text("\n".join(lines) + "\n")
    before = ZctaDistrict.objects.count()
    with pytest.raises(ImportFailed, match=r"line 5001, field 'zcta'"):
        call_command("import_zcta_districts", str(bad), stdout=StringIO())
    assert ZctaDistrict.objects.count() == before


def test_one_state_crosswalk_prints_unmapped_codes_and_leaves_other_states(tmp_path):
    lines = _csv_lines(ZCTA_SLD_CSV)
    header, rows = lines[0], [line for line in lines[1:] if ",VT," in line]
    rows.append("50,VT,upper,ZZZ,05401")  # a code no rule maps
    small = tmp_path / "vt.csv"
    small.write_text("\n".join([header, *rows]) + "\n")
    other_states = ZctaDistrict.objects.exclude(district__state__usps="VT").count()
    out = StringIO()
    call_command("import_zcta_districts", str(small), stdout=out)
    text = out.getvalue()
    assert "UNMAPPED VT upper 'ZZZ'" in text and "1 unmapped" in text
    assert ZctaDistrict.objects.exclude(district__state__usps="VT").count() == other_states


def test_gzip_and_plain_inputs_read_the_same(tmp_path):
    plain = tmp_path / "districts.csv"
    with gzip.open(DISTRICTS_CSV, "rb") as src, plain.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    out = StringIO()
    call_command("import_districts", str(plain), stdout=out)
    assert " inserted=0 updated=0 " in out.getvalue().splitlines()[0]
