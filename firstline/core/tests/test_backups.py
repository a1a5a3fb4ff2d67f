"""manage.py backup_check: pg_dump, restore into a new database, same row
counts in every table; and a restored copy that differs is caught."""

import pytest
from django.core.management import call_command
from django.db import connection, connections

from firstline.core import backups
from firstline.geo.models import Jurisdiction
from firstline.officials.models import Office


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump backups are PostgreSQL's; SQLite copies the file")


def test_a_backup_restores_with_every_row(
    postgres_only, django_db_setup, django_db_blocker, tmp_path, capsys
):
    # Not transaction=True: its teardown would flush the session's national data.
    with django_db_blocker.unblock():
        call_command("backup_check", output_dir=str(tmp_path))
        out = capsys.readouterr().out
        assert "identical after restore" in out
        with capsys.disabled():  # the figures for docs/architecture.md
            print("\n" + out.strip())
        dumps = list(tmp_path.glob("*.dump"))
        assert len(dumps) == 1 and dumps[0].stat().st_size > 100_000
        # The counts are the real ones (the bundled national data is there).
        check = backups.backup_check(output_dir=tmp_path)
        assert check.source_counts["geo_jurisdiction"] == Jurisdiction.objects.count() > 3000
        assert check.restored_counts["officials_office"] == Office.objects.count() > 0
        assert not check.mismatches and len(check.source_counts) > 50
        # The restored databases were dropped.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", ["%restorecheck%"]
            )
            assert not [
                name
                for (name,) in cursor.fetchall()
                if name.startswith(connection.settings_dict["NAME"])
            ]


def test_a_restore_that_lost_rows_is_caught(
    postgres_only, django_db_setup, django_db_blocker, tmp_path
):
    with django_db_blocker.unblock():
        dump, source = backups.backup_dump(output_dir=tmp_path)
        name = f"{connection.settings_dict['NAME']}_restorecheck_lossy"
        alias = backups.backup_restore(dump=dump, name=name)
        try:
            lost = Office.objects.using(alias).order_by("pk").first()
            assert lost is not None
            # A term or contact may point at it: remove the whole office as a lossy restore would.
            Office.objects.using(alias).filter(pk=lost.pk).delete()
            mismatches = backups.counts_compare(source, backups.table_counts(using=alias))
        finally:
            backups.backup_restored_drop(alias=alias)
        assert mismatches["officials_office"] == (
            source["officials_office"],
            source["officials_office"] - 1,
        )
        assert alias not in connections.databases
