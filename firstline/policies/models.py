"""The policy catalog, evidence records (jurisdiction x policy) and their versions.

Natural keys (see docs/policies.md):

* ``Policy.slug`` (the catalog ``id``).
* ``PolicyRecord(policy, key)``. ``key`` is a stable text key built by
  :func:`firstline.policies.services.policy_record_key`:

  - evidence and staff records: ``"<jurisdiction ocd id>|<citation>"`` (one
    jurisdiction may hold several instruments for one policy: NJ's directive,
    its vetoed bill and the re-advanced bill are three records);
  - 287(g) agreements: ``"<USPS>|<normalized agency name>|<support model>"``,
    so an agreement keeps its identity when the matcher re-attaches it to a
    different jurisdiction, and ICE's case and punctuation changes do not
    create a new agreement.

* ``PolicyRecordVersion(record, number)``.
* ``Instrument.slug`` (the evidence file's ``id``); ``InstrumentVersion(instrument, number)``.
* A provision is a PolicyRecord with an ``instrument``: one per (instrument, policy).
* ``LegalEvent(instrument, kind, date, reference)``; ``ResearchCheck(jurisdiction, policy)``.

A PolicyRecord is the *provision* row: one instrument (law, ordinance, order,
court decision, agreement) putting one catalog policy in force in one
jurisdiction, with the section that does it. 287(g) agreements from ICE's
lists are provisions without an Instrument row: the agreement is the
instrument, and its MOA link is on the record itself.

A record's columns always hold the values of its latest version; versions
hold full snapshots, so any past state can be shown without replaying diffs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firstline.geo.models import Jurisdiction


class PolicyKind(models.TextChoices):
    PROTECTIVE = "protective", _("Protective")
    HARMFUL = "harmful", _("Harmful")


class PolicyCategory(models.TextChoices):
    ICE_ENTANGLEMENT = "ice_entanglement", _("Entanglement with ICE")
    DUE_PROCESS = "due_process_and_representation", _("Due process and representation")
    DATA = "data_and_surveillance", _("Data and surveillance")
    SAFE_PLACES = "safe_places", _("Safe places")
    COMMUNITY = "community_support", _("Community support")
    UMBRELLA = "umbrella_law", _("Umbrella law")
    NONBINDING = "nonbinding", _("Non-binding")
    PREEMPTION = "preemption_and_mandates", _("Preemption and mandates")


class Policy(models.Model):
    """One entry of the catalog (data/policies/catalog.yaml).

    ``negates`` and ``preempts`` are lists of protective policy slugs, kept as
    JSON rather than M2M because they are a small, editorial, import-managed
    table (``negates:``/``preempts:`` in catalog.yaml) that the scorecard reads
    whole; the importer checks every slug exists.
    """

    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=12, choices=PolicyKind.choices)
    category = models.CharField(max_length=40, choices=PolicyCategory.choices)
    levels = models.JSONField(
        default=list,
        blank=True,
        help_text="Levels of government: state, county, city, sheriff, school, court.",
    )
    weight = models.PositiveSmallIntegerField(
        default=2, help_text="1-3: how much it matters day to day."
    )
    name_en = models.CharField(max_length=200)
    name_es = models.CharField(max_length=200, blank=True)
    summary_en = models.TextField(blank=True)
    summary_es = models.TextField(blank=True)
    model_language = models.TextField(
        blank=True, help_text="Suggested wording for a law or ordinance (English)."
    )
    model_language_es = models.TextField(blank=True)
    related = models.JSONField(
        default=list, blank=True, help_text="Slugs of related policies (symmetric)."
    )
    negates = models.JSONField(
        default=list,
        blank=True,
        help_text="Protective slugs this harmful policy cancels in the same jurisdiction or the places and counties under it.",
    )
    preempts = models.JSONField(
        default=list,
        blank=True,
        help_text="Protective slugs this harmful policy, in force at state level, overrides at county and city level.",
    )
    source_section = models.CharField(max_length=40, blank=True)
    core = models.BooleanField(
        default=False,
        help_text="A core policy: every state is researched for it, and a scorecard says how many core policies were researched.",
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "slug"]
        verbose_name_plural = "policies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gte=1, weight__lte=3), name="policy_weight_1_3_chk"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in PolicyKind]),
                name="policy_kind_valid_chk",
            ),
        ]

    def __str__(self) -> str:
        return self.name_en


class RecordStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    PARTIAL = "partial", _("Partly in force")
    PROPOSED = "proposed", _("Proposed")
    FAILED = "failed", pgettext_lazy("bill status", "Failed")
    VETOED = "vetoed", _("Vetoed")
    RESCINDED = "rescinded", _("Rescinded")
    ENJOINED = "enjoined", _("Blocked by a court")
    PREEMPTED = "preempted", _("Preempted")
    PENDING = "pending", _("Enacted, not yet in effect")
    STRUCK_DOWN = "struck_down", _("Struck down by a court")
    ENDED = "ended", _("Ended (repealed, expired or superseded)")
    WITHDRAWN = "withdrawn", _("Withdrawn from the evidence")


class InstrumentKind(models.TextChoices):
    STATUTE = "statute", _("Law or ordinance")
    ORDINANCE = "ordinance", _("Local ordinance")
    POLICY = "policy", _("Agency policy")
    EXECUTIVE_ORDER = "executive_order", _("Executive order")
    AG_DIRECTIVE = "ag_directive", _("Attorney General directive")
    COURT_DECISION = "court_decision", _("Court decision")
    COURT_RULE = "court_rule", _("Court rule")
    BUDGET = "budget", _("Budget")
    RESOLUTION = "resolution", _("Resolution")
    AGREEMENT = "agreement", _("Agreement (MOA)")
    OTHER = "other", _("Other")


class InstrumentStatus(models.TextChoices):
    """The enactment outcome; later changes in legal status are LegalEvents."""

    ENACTED = "enacted", _("Enacted")
    PROPOSED = "proposed", _("Proposed")
    FAILED = "failed", pgettext_lazy("bill status", "Failed")
    VETOED = "vetoed", _("Vetoed")


class SourceType(models.TextChoices):
    """Where a source URL points; every value but ``secondary`` is a primary source."""

    LEGISLATURE = "legislature", _("Legislature or council")
    OFFICIAL_CODE = "official_code", _("Official code")
    COURT = "court", _("Court")
    EXECUTIVE = "executive", _("Governor, attorney general or executive")
    AGENCY = "agency", _("Government agency")
    SECONDARY = "secondary", _("Secondary report")


PRIMARY_SOURCES = frozenset(s.value for s in SourceType if s != SourceType.SECONDARY)


class Extent(models.TextChoices):
    FULL = "full", _("Full")
    PARTIAL = "partial", _("Partial")


class EventKind(models.TextChoices):
    ENJOINED = "enjoined", _("Enjoined")
    INJUNCTION_LIFTED = "injunction_lifted", _("Injunction lifted")
    STRUCK_DOWN = "struck_down", _("Struck down")
    UPHELD = "upheld", _("Upheld")
    REPEALED = "repealed", _("Repealed")
    AMENDED = "amended", _("Amended")
    SUPERSEDED = "superseded", _("Superseded")
    EXPIRED = "expired", _("Expired")


class Confidence(models.TextChoices):
    VERIFIED = "verified", _("Verified")
    UNVERIFIED = "unverified", _("Unverified")


class SupportModel(models.TextChoices):
    """The three 287(g) models ICE lists, plus blank for non-287(g) records."""

    NONE = "", _("—")
    JAIL_ENFORCEMENT = "jail_enforcement", _("Jail Enforcement Model")
    TASK_FORCE = "task_force", _("Task Force Model")
    WARRANT_SERVICE = "warrant_service", _("Warrant Service Officer")
    UNKNOWN = "unknown", _("Model not given")


class AttachedLevel(models.TextChoices):
    STATE = "state", _("State")
    COUNTY = "county", _("County")
    PLACE = "place", _("City or town")
    OTHER = "other", _("Other agency")


# Every column that is versioned: a PolicyRecordVersion snapshot holds exactly these.
VERSIONED_FIELDS: tuple[str, ...] = (
    "jurisdiction_id", "level", "usps", "other_name", "instrument_id", "section", "extent",
    "status", "instrument_kind", "citation", "year", "enacted_on", "effective_on", "ended_on",
    "source_url", "excerpt", "note", "confidence", "verified_on", "verified_by_id",
    "importer", "source_file", "as_of",
    "agency_name", "agency_type", "agency_county", "support_model", "signed_on", "moa_url", "addendum_url",
    "first_seen_on", "last_seen_on", "pending_first_seen_on", "pending_last_seen_on",
    "match_method", "match_score",
)  # fmt: skip

INSTRUMENT_VERSIONED_FIELDS: tuple[str, ...] = (
    "jurisdiction_id", "kind", "title", "citation", "url", "source_type", "status", "enacted_on",
    "effective_on", "confidence", "verified_on", "verified_by_id", "as_of", "summary", "note",
    "importer", "source_file",
)  # fmt: skip


class Instrument(models.Model):
    """One law, ordinance, order, court decision or agreement; its provisions are PolicyRecords.

    Versioned and audited like records: write through the services.
    """

    slug = models.SlugField(max_length=120, unique=True, help_text="The evidence file's id.")
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="instruments"
    )
    kind = models.CharField(max_length=20, choices=InstrumentKind.choices)
    title = models.CharField(max_length=300)
    citation = models.CharField(max_length=300, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    source_type = models.CharField(max_length=20, choices=SourceType.choices, blank=True)
    status = models.CharField(
        max_length=12, choices=InstrumentStatus.choices, default=InstrumentStatus.ENACTED
    )
    enacted_on = models.DateField(null=True, blank=True)
    effective_on = models.DateField(null=True, blank=True)
    confidence = models.CharField(
        max_length=12, choices=Confidence.choices, default=Confidence.UNVERIFIED
    )
    verified_on = models.DateField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    as_of = models.DateField(null=True, blank=True, help_text="Date the research is current to.")
    summary = models.TextField(blank=True)
    note = models.TextField(blank=True)
    importer = models.CharField(max_length=40, blank=True)
    source_file = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in InstrumentStatus]),
                name="instrument_status_chk",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.citation})" if self.citation else self.title

    @property
    def primary_source(self) -> bool:
        return self.source_type in PRIMARY_SOURCES


class LegalEvent(models.Model):
    """A later change in an instrument's legal standing: an injunction, a ruling, a repeal."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    date = models.DateField()
    body = models.CharField(max_length=300, help_text="The court, legislature or body.")
    reference = models.CharField(max_length=300, help_text="Case name and cite, or bill number.")
    url = models.URLField(max_length=1000, blank=True)
    source_type = models.CharField(max_length=20, choices=SourceType.choices, blank=True)
    policies = models.JSONField(
        default=list, blank=True, help_text="Policy slugs affected; empty = the whole instrument."
    )
    superseded_by = models.ForeignKey(
        Instrument, null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )
    note = models.TextField(blank=True)
    importer = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["instrument", "date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "kind", "date", "reference"], name="legal_event_natural_uniq"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in EventKind]),
                name="legal_event_kind_chk",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}: {self.reference}"

    def affects(self, slug: str) -> bool:
        return not self.policies or slug in self.policies


class ResearchResult(models.TextChoices):
    NOT_IN_FORCE = "not_in_force", _("Researched: not in force")


class ResearchCheck(models.Model):
    """A researched absence: we looked, and this policy is not in force here."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="research_checks"
    )
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="research_checks")
    result = models.CharField(
        max_length=20, choices=ResearchResult.choices, default=ResearchResult.NOT_IN_FORCE
    )
    checked_on = models.DateField()
    checked_by = models.CharField(max_length=200, help_text="A team label, no personal data.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    where = models.TextField(help_text="Where we looked.")
    note = models.TextField(blank=True)
    importer = models.CharField(max_length=40, blank=True)
    source_file = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["jurisdiction", "policy"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "policy"], name="research_check_natural_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} @ {self.jurisdiction_id}: {self.result}"


class PolicyRecord(models.Model):
    """A provision: one instrument putting one policy in force in one jurisdiction.

    ``instrument`` is set for evidence provisions (with ``section`` and
    ``extent``) and empty for ICE's 287(g) agreements and for older staff
    records; ``status`` is derived from the instrument and its events by the
    services (:func:`firstline.policies.legal_status.provision_status`).

    ``jurisdiction`` is empty for agencies that belong to no state, county or
    place (regional jails, airport and port police, universities): they keep
    ``other_name`` and ``usps``. Write through the services, never ``save()``,
    so every change leaves a version and an audit event.
    """

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="records")
    key = models.CharField(
        max_length=400, help_text="Natural key within the policy; see the module docstring."
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="policy_records"
    )
    level = models.CharField(max_length=10, choices=AttachedLevel.choices)
    usps = models.CharField(
        max_length=2, help_text="Two-letter state code, also for unattached agencies."
    )
    other_name = models.CharField(
        max_length=300, blank=True, help_text="Name of an unattached agency."
    )

    instrument = models.ForeignKey(
        Instrument, null=True, blank=True, on_delete=models.PROTECT, related_name="provisions"
    )
    section = models.CharField(
        max_length=300, blank=True, help_text="The section, article or paragraph that enacts it."
    )
    extent = models.CharField(max_length=8, choices=Extent.choices, default=Extent.FULL)

    status = models.CharField(max_length=12, choices=RecordStatus.choices)
    instrument_kind = models.CharField(
        max_length=20,
        choices=InstrumentKind.choices,
        default=InstrumentKind.OTHER,
        db_column="instrument",
    )
    citation = models.CharField(max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    enacted_on = models.DateField(null=True, blank=True)
    effective_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    source_url = models.URLField(max_length=1000, blank=True)
    excerpt = models.TextField(blank=True, help_text="A short quotation from the source.")
    note = models.TextField(blank=True)
    confidence = models.CharField(
        max_length=12, choices=Confidence.choices, default=Confidence.UNVERIFIED
    )
    verified_on = models.DateField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    importer = models.CharField(
        max_length=40, blank=True, help_text="Importer that wrote it; blank for staff."
    )
    source_file = models.CharField(max_length=300, blank=True)
    as_of = models.DateField(
        null=True, blank=True, help_text="Date of the source list or research."
    )

    # 287(g): as ICE wrote it.
    agency_name = models.CharField(max_length=300, blank=True)
    agency_type = models.CharField(max_length=40, blank=True, help_text="ICE's TYPE column.")
    agency_county = models.CharField(max_length=100, blank=True, help_text="ICE's COUNTY column.")
    support_model = models.CharField(
        max_length=20, choices=SupportModel.choices, blank=True, default=""
    )
    signed_on = models.DateField(null=True, blank=True)
    moa_url = models.URLField(max_length=1000, blank=True)
    addendum_url = models.URLField(max_length=1000, blank=True)
    first_seen_on = models.DateField(
        null=True, blank=True, help_text="First participating list that held it."
    )
    last_seen_on = models.DateField(
        null=True, blank=True, help_text="Last participating list that held it."
    )
    pending_first_seen_on = models.DateField(null=True, blank=True)
    pending_last_seen_on = models.DateField(null=True, blank=True)
    match_method = models.CharField(max_length=60, blank=True)
    match_score = models.FloatField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["usps", "policy__sort_order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "key"], name="policy_record_policy_key_uniq"),
            # The provision's natural key: one row per (instrument, policy).
            models.UniqueConstraint(
                fields=["instrument", "policy"],
                condition=models.Q(instrument__isnull=False),
                name="policy_record_provision_uniq",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in RecordStatus]),
                name="policy_record_status_chk",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(level="other", jurisdiction__isnull=True) & ~models.Q(other_name="")
                )
                | (~models.Q(level="other") & models.Q(jurisdiction__isnull=False)),
                name="policy_record_attached_chk",
            ),
        ]
        indexes = [
            # Jurisdiction page and scorecard: every record of one jurisdiction.
            models.Index(fields=["jurisdiction", "policy"], name="policy_record_jur_idx"),
            # Map and national counts: records of a policy with a status.
            models.Index(fields=["policy", "status"], name="policy_record_status_idx"),
            # State pages and the 287(g) trend by state.
            models.Index(fields=["usps", "policy"], name="policy_record_usps_idx"),
        ]

    def __str__(self) -> str:
        where = self.jurisdiction if self.jurisdiction_id else f"{self.other_name}, {self.usps}"
        return f"{self.policy.slug} @ {where} ({self.status})"

    @property
    def display_name(self) -> str:
        """What the record is about: the agency for 287(g), else the jurisdiction."""
        if self.agency_name:
            return self.agency_name
        if self.jurisdiction_id:
            return str(self.jurisdiction)
        return self.other_name


class VersionBase(models.Model):
    """A full snapshot of a versioned row's values after one change (records and instruments)."""

    number = models.PositiveIntegerField()
    values = models.JSONField(
        help_text="Every versioned field after this change (dates as ISO strings)."
    )
    changed_fields = models.JSONField(default=list, blank=True)
    summary = models.CharField(
        max_length=500, blank=True, help_text="What changed, e.g. 'status: in_force → rescinded'."
    )
    why = models.TextField(help_text="The reason or evidence for the change.")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_label = models.CharField(
        max_length=200, help_text="The user, or the importer when no user acted."
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class PolicyRecordVersion(VersionBase):
    record = models.ForeignKey(PolicyRecord, on_delete=models.CASCADE, related_name="versions")

    class Meta:
        ordering = ["record", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["record", "number"], name="policy_record_version_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.record_id} v{self.number}"


class InstrumentVersion(VersionBase):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="versions")

    class Meta:
        ordering = ["instrument", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "number"], name="instrument_version_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} v{self.number}"


class Scorecard(models.Model):
    """One jurisdiction's stored scorecard summary: what grades, children lists and the map read.

    Written only by :mod:`firstline.policies.scorecard`; the full scorecard with
    its reasons is computed on demand.
    """

    # The jurisdiction is the key: an upsert never burns a surrogate id.
    jurisdiction = models.OneToOneField(
        Jurisdiction, on_delete=models.CASCADE, primary_key=True, related_name="scorecard"
    )
    score = models.PositiveSmallIntegerField()
    grade = models.CharField(max_length=1)
    # Policy slug -> effective status, for the policies researched in the chain.
    statuses = models.JSONField(default=dict)
    core_researched = models.PositiveSmallIntegerField(default=0)
    core_total = models.PositiveSmallIntegerField(default=0)
    # The rules the row was computed by; a row of other rules is recomputed on read.
    algorithm_version = models.PositiveSmallIntegerField()
    # The ticket (ScorecardTicket) the recompute drew before it read the
    # evidence: a row is only ever overwritten by a recompute holding a later one.
    computed_from = models.PositiveBigIntegerField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=100), name="scorecard_score_range_chk"
            ),
            models.CheckConstraint(
                condition=models.Q(grade__in=["A", "B", "C", "D", "F"]), name="scorecard_grade_chk"
            ),
            models.CheckConstraint(
                condition=models.Q(core_researched__lte=models.F("core_total")),
                name="scorecard_core_researched_chk",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction_id}: {self.grade} ({self.score})"


class ScorecardTicket(models.Model):
    """A single counter every scorecard recompute draws from before it reads the evidence.

    A recompute that drew a later ticket read the evidence later, so it saw at
    least every change the earlier one saw; comparing tickets in the write is
    what keeps a slow, older recompute from overwriting a newer result.
    """

    last = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"ticket {self.last}"
