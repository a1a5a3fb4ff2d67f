"""Tracker pages: jurisdiction scorecards, the policy catalog, methodology, the 287(g) trend, the map.

Views parse input and call the scorecard engine, selectors and services; the
rules live in ``firstline.policies.scorecard``. Staff edits go through
``firstline.policies.services`` (versions and audit events) and are followed
by a scorecard recompute for the jurisdictions they affect.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from firstline.core.permissions import staff_permission_required
from firstline.geo import selectors as geo_selectors
from firstline.geo.models import Jurisdiction, JurisdictionKind
from firstline.officials.selectors import offices_for_jurisdiction
from firstline.policies import map as national_map
from firstline.policies import scorecard, selectors
from firstline.policies.models import (
    InstrumentKind,
    LegalEvent,
    Policy,
    PolicyKind,
    PolicyRecord,
    PolicyRecordVersion,
    RecordStatus,
    ResearchCheck,
    SupportModel,
)

IN_FORCE = [RecordStatus.IN_FORCE, RecordStatus.PARTIAL]
STATUS_LABELS = dict(scorecard.EffectiveStatus.choices)
LEVEL_LABELS = dict(JurisdictionKind.choices)


# --- The national map (home page, policy pages, standalone SVG) ----------------------------


def _layer(
    request: HttpRequest, policies: dict[str, Policy] | None = None
) -> tuple[str, Policy | None]:
    slug = request.GET.get("layer", national_map.OVERALL)[:60]
    if slug == national_map.OVERALL:
        return slug, None
    policy = (
        (policies or {}).get(slug)
        if policies is not None
        else Policy.objects.filter(slug=slug).first()
    )
    if policy is None:
        return national_map.OVERALL, None
    return slug, policy


def home_map_context(request: HttpRequest) -> dict[str, Any]:
    """What ``policies/_home_map.html`` needs; the core home view merges it into its context."""
    policies = {p.slug: p for p in Policy.objects.all()}
    layer, policy = _layer(request, policies)
    featured = [
        policies[s]
        for s in ("agreement_287g", "decline_detainers", "no_287g", "state_sanctuary_ban")
        if s in policies
    ]
    return {
        "map_svg": national_map.national_map_svg(layer=layer),
        "map_layer": layer,
        "map_policy": policy,
        "map_legend": national_map.legend(
            layer=layer, harmful=bool(policy and policy.kind == PolicyKind.HARMFUL)
        ),
        "map_featured_layers": featured,
        "map_other_layers": [p for p in policies.values() if p not in featured],
        **grade_table_context(request),
    }


def _grade_sort(request: HttpRequest) -> tuple[str, bool]:
    sort = request.GET.get("sort", "name")
    return (sort if sort in selectors.GRADE_TABLE_SORTS else "name"), request.GET.get(
        "dir"
    ) == "desc"


def grade_table_context(request: HttpRequest, *, state_usps: str | None = None) -> dict[str, Any]:
    """The map's table alternative: sortable by server-side links, so it works without JS."""
    sort, descending = _grade_sort(request)
    return {
        "grade_rows": selectors.grade_table(
            state_usps=state_usps, sort=sort, descending=descending
        ),
        "grade_sort": sort,
        "grade_desc": descending,
        "grade_columns": [
            ("name", _("County") if state_usps else _("State")),
            ("grade", _("Grade")),
            ("score", _("Score")),
        ],
    }


def grade_table_state(request: HttpRequest, usps: str) -> HttpResponse:
    """One state's counties with their grades: the map's keyboard path, one state at a time."""
    state = get_object_or_404(Jurisdiction, kind=JurisdictionKind.STATE, usps=usps.upper()[:2])
    context = grade_table_context(request, state_usps=state.usps)
    return render(request, "policies/grade_table.html", {"state": state, **context})


def county_by_fips(request: HttpRequest, fips: str) -> HttpResponse:
    """A map click lands here: the county's page, or its state's for a former county."""
    county = Jurisdiction.objects.filter(kind=JurisdictionKind.COUNTY, geoid=fips).first()
    target = county or get_object_or_404(Jurisdiction, kind=JurisdictionKind.STATE, geoid=fips[:2])
    return redirect("jurisdiction", ocd_id=target.ocd_id)


def map_labels(request: HttpRequest) -> HttpResponse:
    """Hover labels for the map's counties (fetched by static/js/map.js on first hover)."""
    layer, _policy = _layer(request)
    response = HttpResponse(
        national_map.national_map_labels(layer=layer), content_type="application/json"
    )
    response["Cache-Control"] = "public, max-age=300"
    return response


def map_svg(request: HttpRequest) -> HttpResponse:
    """The map as a standalone SVG file (with its own styles), e.g. for embedding or download."""
    layer, _policy = _layer(request)
    svg = national_map.national_map_svg(layer=layer)
    css = (national_map.STANDALONE_CSS_PATH).read_text(encoding="utf-8")
    head, _sep, rest = svg.partition(">")
    body = f'{head} width="975" height="610"><style>{css}</style>{rest}'
    response = HttpResponse(body, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response


# --- Policies --------------------------------------------------------------------------


def policy_list(request: HttpRequest) -> HttpResponse:
    policies = list(
        Policy.objects.annotate(
            in_force=Count(
                "records",
                filter=Q(records__status__in=IN_FORCE, records__jurisdiction__isnull=False),
            ),
            jurisdictions=Count(
                "records__jurisdiction",
                filter=Q(records__status__in=IN_FORCE),
                distinct=True,
            ),
        )
    )
    return render(
        request,
        "policies/policy_list.html",
        {
            "protective": [p for p in policies if p.kind == PolicyKind.PROTECTIVE],
            "harmful": [p for p in policies if p.kind == PolicyKind.HARMFUL],
        },
    )


RECORDS_PER_PAGE = 100


def policy_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A policy, its map and its records: paginated and filterable by state and 287(g) model."""
    from django.core.paginator import Paginator

    policy = get_object_or_404(Policy, slug=slug)
    shown = [*IN_FORCE, RecordStatus.PROPOSED, RecordStatus.ENJOINED, RecordStatus.STRUCK_DOWN]
    all_records = PolicyRecord.objects.filter(policy=policy, status__in=shown)
    states = sorted({u for u in all_records.values_list("usps", flat=True) if u})
    models_present = set(
        all_records.exclude(support_model="").values_list("support_model", flat=True)
    )
    models = [(value, label) for value, label in SupportModel.choices if value in models_present]
    state = request.GET.get("state", "").upper()
    state = state if state in states else ""
    model = request.GET.get("model", "")
    model = model if model in models_present else ""
    filtered = all_records
    if state:
        filtered = filtered.filter(usps=state)
    if model:
        filtered = filtered.filter(support_model=model)
    page = Paginator(
        filtered.select_related("jurisdiction", "instrument").order_by(
            "usps", "level", "jurisdiction__name", "other_name", "key"
        ),
        RECORDS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    query = {k: v for k, v in (("state", state), ("model", model)) if v}
    by_name = {p.slug: p for p in Policy.objects.all()}
    return render(
        request,
        "policies/policy_detail.html",
        {
            "policy": policy,
            "records": page.object_list,
            "page": page,
            "page_query": "&".join(f"{k}={v}" for k, v in query.items()),
            "filter_states": states,
            "filter_models": models,
            "filter_state": state,
            "filter_model": model,
            "total_count": filtered.count(),
            "in_force_count": filtered.filter(status__in=IN_FORCE).count(),
            "negates": [by_name[s] for s in policy.negates if s in by_name],
            "preempts": [by_name[s] for s in policy.preempts if s in by_name],
            "related": [by_name[s] for s in policy.related if s in by_name],
            "countered_by": [
                p for p in by_name.values() if policy.slug in (*p.negates, *p.preempts)
            ],
            "map_svg": national_map.national_map_svg(layer=policy.slug),
            "map_legend": national_map.legend(
                layer=policy.slug, harmful=policy.kind == PolicyKind.HARMFUL
            ),
        },
    )


def methodology(request: HttpRequest) -> HttpResponse:
    policies = list(Policy.objects.all())
    catalog = scorecard.catalog_from_policies(policies)
    as_of = dict(
        PolicyRecord.objects.values_list("importer")
        .annotate(latest=Max("as_of"))
        .values_list("importer", "latest")
    )
    bands, upper = [], 100
    for floor, grade in scorecard.GRADE_BANDS:
        bands.append({"grade": grade, "low": floor, "high": upper})
        upper = floor - 1
    return render(
        request,
        "policies/methodology.html",
        {
            "protective": [p for p in policies if p.kind == PolicyKind.PROTECTIVE],
            "harmful": [p for p in policies if p.kind == PolicyKind.HARMFUL],
            "protective_max": catalog.protective_max,
            "harm_max": catalog.harm_max,
            "neutral_score": scorecard.normalize(net=0, catalog=catalog),
            "bands": bands,
            "as_of": as_of,
            "core_count": sum(1 for p in policies if p.core),
        },
    )


def trend_287g(request: HttpRequest) -> HttpResponse:
    from firstline.policies import trend_chart

    series, as_of = trend_chart.trend_series()
    return render(
        request,
        "policies/trend_287g.html",
        {
            "chart_svg": trend_chart.render_chart(series=series),
            "series": series,
            "as_of": as_of,
            "totals": trend_chart.latest(series),
        },
    )


# --- The jurisdiction page ------------------------------------------------------------------


@dataclass
class LineView:
    line: scorecard.PolicyLine
    policy: Policy
    status_label: str
    origin: Jurisdiction | None
    records: list[PolicyRecord] = field(default_factory=list)
    reason: PolicyRecord | None = None
    reason_policy: Policy | None = None
    reason_origin: Jurisdiction | None = None

    @property
    def unverified(self) -> bool:
        return self.line.unverified


def _offices(jurisdiction: Jurisdiction) -> list[Any]:
    return list(offices_for_jurisdiction(jurisdiction=jurisdiction))


def _as_of(request: HttpRequest) -> dt.date | None:
    """``?as_of=YYYY-MM-DD``: score the evidence as it stood that day (ignored when malformed)."""
    try:
        return dt.date.fromisoformat(request.GET.get("as_of", "")[:10])
    except ValueError:
        return None


def _attach_events(records: dict[int, PolicyRecord]) -> None:
    """Give each provision its instrument's legal events that concern it (one query)."""
    ids = {r.instrument_id for r in records.values() if r.instrument_id}
    by_instrument: dict[int, list[LegalEvent]] = defaultdict(list)
    for event in LegalEvent.objects.filter(instrument_id__in=ids).order_by("date", "id"):
        by_instrument[event.instrument_id].append(event)
    slugs = dict(Policy.objects.values_list("pk", "slug")) if ids else {}
    for record in records.values():
        record.legal_events = [  # type: ignore[attr-defined]
            e
            for e in by_instrument.get(record.instrument_id or 0, [])
            if e.affects(slugs.get(record.policy_id, ""))
        ]


def jurisdiction_detail(request: HttpRequest, ocd_id: str) -> HttpResponse:
    jurisdiction = get_object_or_404(
        Jurisdiction.objects.select_related("state", "county"), ocd_id=ocd_id
    )
    policies = {p.slug: p for p in Policy.objects.all()}
    catalog = scorecard.catalog_from_policies(policies.values())
    on = _as_of(request)
    card = scorecard.scorecards_compute(jurisdiction_ids=[jurisdiction.pk], catalog=catalog, on=on)[
        jurisdiction.pk
    ]

    chain = {
        j.ocd_id: j
        for j in (jurisdiction, jurisdiction.state, jurisdiction.county)
        if j is not None
    }
    wanted = {r.id for ln in card.lines for r in ln.records} | {
        ln.reason.id for ln in card.lines if ln.reason
    }
    objects = PolicyRecord.objects.select_related("verified_by", "instrument").in_bulk(wanted)
    _attach_events(objects)
    rows: list[LineView] = []
    for ln in card.lines:
        if ln.effective_status in (
            scorecard.EffectiveStatus.NONE,
            scorecard.EffectiveStatus.ABSENT,
        ):
            continue
        rows.append(
            LineView(
                line=ln,
                policy=policies[ln.policy.slug],
                status_label=str(STATUS_LABELS.get(ln.effective_status, ln.effective_status)),
                origin=chain.get(ln.origin_ocd_id or ""),
                records=[objects[r.id] for r in ln.records if r.id in objects],
                reason=objects.get(ln.reason.id) if ln.reason else None,
                reason_policy=policies.get(ln.reason_policy),
                reason_origin=chain.get(ln.reason_ocd_id),
            )
        )
    children = list(geo_selectors.jurisdiction_children(jurisdiction=jurisdiction)[:500])
    counties = geo_selectors.place_counties(jurisdiction=jurisdiction)
    summaries = scorecard.scorecard_summaries(jurisdictions=children) if children else {}
    own_records = list(
        PolicyRecord.objects.filter(jurisdiction=jurisdiction)
        .select_related("policy")
        .order_by("policy__sort_order", "key")
    )
    history = list(
        PolicyRecordVersion.objects.filter(record__jurisdiction=jurisdiction)
        .select_related("record__policy", "by")
        .order_by("-at", "-id")[:50]
    )
    staff = request.user.is_staff
    context = {
        "jurisdiction": jurisdiction,
        "card": card,
        "as_of": on,
        "coverage": _coverage(card, chain, policies),
        "protections": [r for r in rows if r.policy.kind == PolicyKind.PROTECTIVE],
        "harms": [r for r in rows if r.policy.kind == PolicyKind.HARMFUL],
        "gaps": [policies[s] for s in card.gaps],
        "in_force_count": sum(
            1 for r in rows if r.line.in_force and r.policy.kind == PolicyKind.PROTECTIVE
        ),
        "harm_count": sum(1 for r in rows if r.line.credit < 0),
        "unverified_count": sum(1 for r in rows if r.unverified),
        "children": [(c, summaries.get(c.pk)) for c in children],
        # A city across county lines: each county's sheriff and board act on part of it.
        "counties": counties if len(counties) > 1 else [],
        "history": history,
        "own_records": own_records,
        "offices_template": "officials/_jurisdiction_offices.html",
        "offices": _offices(jurisdiction),
        "level_labels": LEVEL_LABELS,
        "staff": staff,
        "record_form": RecordForm(prefix="new", policies=list(policies.values()))
        if staff
        else None,
    }
    return render(request, "policies/jurisdiction_detail.html", context)


def _coverage(
    card: scorecard.Scorecard, chain: dict[str, Jurisdiction], policies: dict[str, Policy]
) -> dict[str, Any]:
    """Research coverage for the page: absences with who checked, and what nobody has checked yet."""
    absent = {
        ln.policy.slug
        for ln in card.lines
        if ln.effective_status == scorecard.EffectiveStatus.ABSENT
    }
    checks = {
        c.policy.slug: c
        for c in ResearchCheck.objects.filter(
            jurisdiction__in=list(chain.values()), policy__slug__in=absent
        )
        .select_related("policy", "jurisdiction")
        .order_by("jurisdiction__kind")
    }
    not_researched = [
        policies[ln.policy.slug]
        for ln in card.lines
        if ln.effective_status == scorecard.EffectiveStatus.NONE
    ]
    return {
        "total": card.result.core_total,
        "researched": card.result.core_researched,
        "incomplete": card.result.incomplete,
        "core_missing": [policies[s] for s in card.result.core_missing],
        "absent": [
            (policies[s], checks.get(s))
            for s in sorted(absent, key=lambda s: policies[s].sort_order)
        ],
        "not_researched": not_researched,
    }


# --- Evidence health (staff) -----------------------------------------------------------------


@staff_permission_required("view_evidence_health")
def evidence_health(request: HttpRequest) -> HttpResponse:
    from firstline.policies.health import evidence_coverage
    from firstline.policies.health import evidence_health as health_report

    report = health_report()
    coverage = evidence_coverage()
    policies = {p.slug: p for p in Policy.objects.filter(core=True)}
    return render(
        request,
        "policies/evidence_health.html",
        {
            "report": report,
            "counts": report.counts,
            "coverage": coverage,
            "coverage_rows": [(policies[s], n) for s, n in coverage.per_policy.items()],
        },
    )


# --- Staff evidence workflow -------------------------------------------------------------


class RecordFields(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=RecordStatus.choices)
    # Named "instrument" in the form (and its POST data) for the staff pages' sake.
    instrument = forms.ChoiceField(label=gettext_lazy("Instrument"), choices=InstrumentKind.choices)
    citation = forms.CharField(label=gettext_lazy("Citation"), max_length=300)
    source_url = forms.URLField(
        label=gettext_lazy("Source URL"), max_length=1000, required=False, assume_scheme="https"
    )
    enacted_on = forms.DateField(
        label=gettext_lazy("Enacted on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    effective_on = forms.DateField(
        label=gettext_lazy("Effective on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ended_on = forms.DateField(
        label=gettext_lazy("Ended on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    excerpt = forms.CharField(
        label=gettext_lazy("Short excerpt"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    why = forms.CharField(
        label=gettext_lazy("Reason for this change"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    VALUE_FIELDS = (
        "status",
        "instrument",
        "citation",
        "source_url",
        "enacted_on",
        "effective_on",
        "ended_on",
        "excerpt",
        "note",
    )

    def values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self.VALUE_FIELDS}
        values["instrument_kind"] = values.pop("instrument")
        return values


class RecordForm(RecordFields):
    policy = forms.ChoiceField(label=gettext_lazy("Policy"))
    field_order = ["policy"]

    def __init__(self, *args: Any, policies: list[Policy], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.policies = {p.slug: p for p in policies}
        policy_field = self.fields["policy"]
        assert isinstance(policy_field, forms.ChoiceField)  # declared above
        policy_field.choices = [(p.slug, p.name_en) for p in policies]
        self.order_fields(["policy"])


def _staff_record(pk: int) -> PolicyRecord:
    record = (
        PolicyRecord.objects.select_related("jurisdiction", "policy")
        .filter(pk=pk, jurisdiction__isnull=False)
        .first()
    )
    if record is None:
        raise Http404
    return record


@staff_permission_required("edit_evidence")
@require_POST
def record_add(request: HttpRequest) -> HttpResponse:
    from firstline.policies.services import RecordChangeInvalid, provision_add

    jurisdiction = get_object_or_404(Jurisdiction, ocd_id=request.POST.get("jurisdiction", ""))
    form = RecordForm(request.POST, prefix="new", policies=list(Policy.objects.all()))
    if form.is_valid():
        try:
            provision_add(
                jurisdiction=jurisdiction,
                policy=form.policies[form.cleaned_data["policy"]],
                values=form.values(),
                why=form.cleaned_data["why"],
                by=request.user,
            )
        except (RecordChangeInvalid, forms.ValidationError) as exc:
            messages.error(request, _("The record was not saved: %(error)s") % {"error": exc})
        else:
            messages.success(
                request, _("Record proposed. It is marked unverified until someone verifies it.")
            )
    else:
        messages.error(
            request, _("The record was not saved: %(error)s") % {"error": _errors_text(form)}
        )
    return redirect(jurisdiction.get_absolute_url())


@staff_permission_required("edit_evidence")
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    from firstline.policies.services import RecordChangeInvalid, policy_record_change

    record = _staff_record(pk)
    if request.method == "POST":
        form = RecordFields(request.POST)
        if form.is_valid():
            try:
                version = policy_record_change(
                    record=record,
                    changes=form.values(),
                    why=form.cleaned_data["why"],
                    by=request.user,
                )
            except (RecordChangeInvalid, forms.ValidationError) as exc:
                form.add_error(None, str(exc))
            else:
                if version is None:
                    messages.info(request, _("Nothing changed."))
                else:
                    messages.success(
                        request, _("Saved as version %(number)s.") % {"number": version.number}
                    )
                return redirect(record.jurisdiction.get_absolute_url())  # type: ignore[union-attr]
    else:
        initial = {name: getattr(record, name) for name in RecordFields.VALUE_FIELDS[2:]}
        form = RecordFields(
            initial={**initial, "status": record.status, "instrument": record.instrument_kind}
        )
    return render(request, "policies/record_edit.html", {"record": record, "form": form})


@staff_permission_required("verify_evidence")
@require_POST
def record_verify(request: HttpRequest, pk: int) -> HttpResponse:
    from firstline.policies.services import policy_record_verify

    record = _staff_record(pk)
    why = request.POST.get("why", "").strip()[:2000]
    version = policy_record_verify(record=record, by=request.user, why=why)
    if version is None:
        messages.info(request, _("This record was already verified."))
    else:
        messages.success(request, _("Record verified."))
    return redirect(record.jurisdiction.get_absolute_url())  # type: ignore[union-attr]


def _errors_text(form: forms.Form) -> str:
    parts: dict[str, list[str]] = defaultdict(list)
    for name, errors in form.errors.items():
        parts[str(form.fields[name].label) if name in form.fields else ""].extend(
            str(e) for e in errors
        )
    return "; ".join(
        f"{label}: {' '.join(errs)}" if label else " ".join(errs) for label, errs in parts.items()
    )
