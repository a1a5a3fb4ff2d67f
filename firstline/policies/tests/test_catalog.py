from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from firstline.lib.importing import ImportFailed
from firstline.policies.importers import import_policy_catalog
from firstline.policies.models import Policy

pytestmark = pytest.mark.django_db
CATALOG = Path(__file__).resolve().parents[3] / "data/policies/catalog.yaml"


def test_catalog_loaded_with_negation_table() -> None:
    policies = {p.slug: p for p in Policy.objects.all()}
    assert len(policies) == 34
    assert policies["agreement_287g"].negates == ["no_287g"]
    assert "decline_detainers" in policies["state_sanctuary_ban"].preempts
    assert "trust_values_act" in policies["state_sanctuary_ban"].preempts
    assert policies["mandate_287g"].preempts == ["no_287g"]
    assert policies["no_287g"].negates == [] and policies["no_287g"].preempts == []


def test_negation_table_only_targets_protective_policies() -> None:
    kinds = dict(Policy.objects.values_list("slug", "kind"))
    for policy in Policy.objects.all():
        if policy.kind == "protective":
            assert policy.negates == [] and policy.preempts == [], policy.slug
        assert all(kinds[s] == "protective" for s in [*policy.negates, *policy.preempts])
    core = set(Policy.objects.filter(core=True).values_list("slug", flat=True))
    assert core == {
        "decline_detainers", "no_287g", "limit_data_sharing", "no_ice_jail_access",
        "no_release_notification", "mandate_287g", "detainer_mandate", "state_sanctuary_ban",
        "criminal_penalties_officials", "universal_representation", "no_detention_contracts",
    }  # fmt: skip


def test_catalog_refuses_unknown_negation_slug(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        CATALOG.read_text().replace("negates: [no_287g]", "negates: [no_such_policy]", 1)
    )
    before = dict(Policy.objects.values_list("slug", "negates"))
    with pytest.raises(ImportFailed, match="no_such_policy") as caught:
        import_policy_catalog(catalog)
    assert caught.value.field == "negates"
    assert dict(Policy.objects.values_list("slug", "negates")) == before


def test_rerun_is_noop_and_spanish_is_merged(tmp_path: Path) -> None:
    assert import_policy_catalog(CATALOG).changed is False
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(CATALOG.read_text())
    (tmp_path / "catalog.es.yaml").write_text(
        "- id: no_287g\n  name_es: Sin acuerdos 287(g)\n  summary_es: Nada.\n"
    )
    counts = import_policy_catalog(catalog, spanish=tmp_path / "catalog.es.yaml")
    assert counts.updated >= 1
    assert Policy.objects.get(slug="no_287g").name_es == "Sin acuerdos 287(g)"


def test_unknown_related_id_refuses_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "catalog.yaml"
    bad.write_text(
        CATALOG.read_text().replace(
            "related: [no_detention_contracts,", "related: [no_such_policy,", 1
        )
    )
    before = list(Policy.objects.values_list("slug", "related"))
    with pytest.raises(ImportFailed, match="no_such_policy"):
        call_command("import_policy_catalog", str(bad))
    assert list(Policy.objects.values_list("slug", "related")) == before
