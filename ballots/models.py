"""Paper ballots as entered by the counting committee.

Nothing here, no field, table or log line, links a ballot to a delegate: a
ballot knows its session, its entry number within an entry pass, and who of
the counting committee typed it in.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sessions.models import Official, VoteSession


class EntryPass(models.IntegerChoices):
    # With blind double entry two committee members each enter the whole pile.
    FIRST = 1, _("First entry")
    SECOND = 2, _("Second entry")


class InvalidReason(models.TextChoices):
    """Why a whole ballot is invalid (Quy định 96-QĐ/TW, Điều 6)."""

    NOT_ISSUED = "not_issued", _("Not issued by the counting committee")
    NAME_CROSSED_OUT = "name_crossed_out", _("A printed name crossed out")
    NAME_ADDED = "name_added", _("A name added outside the list")
    OTHER = "other", _("Other")


class MarkValue(models.TextChoices):
    HIGH = "high", _("High confidence")
    MEDIUM = "medium", _("Confidence")
    LOW = "low", _("Low confidence")
    # Invalid for this official only: no box ticked, or two or three ticked.
    NONE = "none", _("No box ticked")
    SEVERAL = "several", _("Several boxes ticked")


class Ballot(models.Model):
    session = models.ForeignKey(VoteSession, on_delete=models.CASCADE, related_name="ballots")
    entry_pass = models.PositiveSmallIntegerField(
        _("entry pass"), choices=EntryPass.choices, default=EntryPass.FIRST
    )
    number = models.PositiveIntegerField(_("entry number"))
    invalid_reason = models.CharField(
        _("whole ballot invalid"), max_length=20, choices=InvalidReason.choices, blank=True
    )
    invalid_note = models.CharField(_("note"), max_length=300, blank=True)
    # A voided entry was typed by mistake (not a ballot at all); it is kept for the record.
    voided = models.BooleanField(_("voided"), default=False)
    # Empty for ballots imported from a file by `manage.py import_ballots`.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Sent by the entry screen with each save: a resubmitted save finds its ballot.
    client_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # What the ballot says (whole-ballot reason and marks), digested by `content_digest`
    # whenever it is entered or changed: the two passes agree on a number when their digests
    # do, so the differences are found by one GROUP BY over the ballots, not the marks.
    content_digest = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        ordering = ["session", "entry_pass", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "entry_pass", "number"], name="ballot_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(entry_pass__in=EntryPass.values), name="ballot_pass_valid"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="ballot_number_positive"),
            models.CheckConstraint(
                condition=Q(invalid_reason="") | Q(invalid_reason__in=InvalidReason.values),
                name="ballot_invalid_reason_valid",
            ),
            models.CheckConstraint(
                condition=Q(invalid_reason=InvalidReason.OTHER) | Q(invalid_note=""),
                name="ballot_note_only_for_other",
            ),
        ]
        indexes = [
            # The differences between the passes: GROUP BY number over a session's non-voided
            # ballots, comparing digests: read from this index alone, already in number order.
            models.Index(
                fields=["session", "number", "content_digest"],
                condition=Q(voided=False),
                name="ballot_pass_compare",
            ),
            # Blind double entry: the passes a member has typed in, probed at every save
            # (without it the look-up walks the member's ballots of every past session).
            models.Index(fields=["entered_by", "session", "entry_pass"], name="ballot_typist_pass"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.entry_pass}/{self.number}"

    @property
    def is_invalid(self) -> bool:
        return bool(self.invalid_reason)


def content_digest(invalid_reason: str, marks: dict[int, str]) -> str:
    """A ballot's content as a short digest: its whole-ballot reason, or its marks by official
    order. Equal contents, equal digests; the note is not part of it (nor of a difference)."""
    if invalid_reason:
        text = f"invalid:{invalid_reason}"
    else:
        text = ",".join(f"{order}={marks[order]}" for order in sorted(marks))
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


class Mark(models.Model):
    """One official's row on one ballot."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="marks")
    # No index of its own: the (official, value) index serves lookups by official (its leading
    # column). Each save writes 44 marks, and an index ordered by official takes them in 44
    # places far apart.
    official = models.ForeignKey(
        Official, on_delete=models.PROTECT, related_name="marks", db_index=False
    )
    value = models.CharField(_("mark"), max_length=10, choices=MarkValue.choices)

    class Meta:
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "official"], name="mark_one_per_official"),
            models.CheckConstraint(
                condition=Q(value__in=MarkValue.values), name="mark_value_valid"
            ),
        ]
        indexes = [
            # The tally: counts per official and value.
            models.Index(fields=["official", "value"], name="mark_official_value"),
        ]

    def __str__(self) -> str:
        return f"{self.ballot} {self.official_id}={self.value}"


class TallySheetRow(models.Model):
    # The hand count (ballots/services/hand_count.py). The model keeps its first name, which
    # its table and migrations carry.
    """One official's hand-counted totals, as the committee counted them on paper.

    The committee may count by hand instead of (or as well as) entering ballots one by one;
    the sheet then stands for the pile. Each row adds up to the ballots collected
    (checked by `hand_count_record` and again when the count closes).
    """

    session = models.ForeignKey(
        VoteSession, on_delete=models.CASCADE, related_name="tally_sheet_rows"
    )
    official = models.ForeignKey(Official, on_delete=models.PROTECT, related_name="+")
    # PositiveIntegerField: the database refuses a negative count.
    high = models.PositiveIntegerField(_("high confidence"))
    medium = models.PositiveIntegerField(_("confidence"))
    low = models.PositiveIntegerField(_("low confidence"))
    # Invalid for this official: no box or several ticked, or the whole ballot invalid.
    invalid = models.PositiveIntegerField(_("invalid"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hand-count row")
        verbose_name_plural = _("hand-count rows")
        ordering = ["session", "official__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "official"], name="tally_sheet_one_row_per_official"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.official_id}"

    @property
    def total(self) -> int:
        return self.high + self.medium + self.low + self.invalid


class ScanStatus(models.TextChoices):
    # Every row certain: entered as a ballot of the pass when the file was imported.
    SAVED = "saved", _("Saved")
    # Something unclear: waits for a committee member to accept or correct the reading.
    HELD = "held", _("Held for review")
    # A committee member decided; the ballot is entered.
    REVIEWED = "reviewed", _("Reviewed")


class ScanBatchStatus(models.TextChoices):
    # Uploaded in the browser, waiting for the reader.
    QUEUED = "queued", _("Queued")
    READING = "reading", _("Reading")
    DONE = "done", _("Done")
    # Nothing saved (the file could not be read, or the pass refused it): it may be sent again.
    FAILED = "failed", _("Failed")


class ScanBatch(models.Model):
    """One scan file imported into an entry pass. The file's SHA-256 makes a second import of
    the same file impossible, so nothing is counted twice. A file uploaded in the browser is
    read outside the request: its progress is kept here (status, pages done of pages total)."""

    session = models.ForeignKey(VoteSession, on_delete=models.CASCADE, related_name="scan_batches")
    entry_pass = models.PositiveSmallIntegerField(_("entry pass"), choices=EntryPass.choices)
    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # The ballot paper's layout fingerprint the file was read against.
    fingerprint = models.CharField(_("layout fingerprint"), max_length=16)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    saved = models.PositiveIntegerField(_("ballots saved"), default=0)
    held = models.PositiveIntegerField(_("ballots held"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=ScanBatchStatus.choices, default=ScanBatchStatus.DONE
    )
    pages_done = models.PositiveIntegerField(_("pages read"), default=0)
    pages_total = models.PositiveIntegerField(_("pages in the file"), default=0)
    # What the reading gave, as import_scans prints it (the progress page shows it).
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    # When the reader last reported (an upload whose reader stopped with the server is
    # recognised by a stale time and may be sent again).
    progress_at = models.DateTimeField(null=True, blank=True)
    # The paper's layout (BallotLayout.as_dict) the file was read against: the review screen
    # draws the reading on the page images from it.
    layout = models.JSONField(_("layout"), default=dict, blank=True)
    # Pages that are not this session's paper, with why: [{"page": 3, "reason": "…"}].
    refused = models.JSONField(_("refused pages"), default=list, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("scan file")
        verbose_name_plural = _("scan files")
        ordering = ["session", "imported_at", "pk"]
        constraints = [
            # A file that failed saved nothing and may be sent again.
            models.UniqueConstraint(
                fields=["session", "sha256"],
                condition=~Q(status=ScanBatchStatus.FAILED),
                name="scan_batch_file_once",
            ),
            models.CheckConstraint(
                condition=Q(entry_pass__in=EntryPass.values), name="scan_batch_pass_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ScanBatchStatus.values), name="scan_batch_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.entry_pass} {self.file_name}"


class ScannedBallot(models.Model):
    """One ballot read from a scan: its entry number in the pass (scan order), what the
    machine read, why it was held, and its page images (in the storage, not the database)."""

    batch = models.ForeignKey(ScanBatch, on_delete=models.CASCADE, related_name="ballots")
    session = models.ForeignKey(
        VoteSession, on_delete=models.CASCADE, related_name="scanned_ballots"
    )
    entry_pass = models.PositiveSmallIntegerField(_("entry pass"), choices=EntryPass.choices)
    number = models.PositiveIntegerField(_("entry number"))
    status = models.CharField(_("status"), max_length=10, choices=ScanStatus.choices)
    # {"marks": {"1": "H", "2": "", "3": "X", "4": "?"}, "ink": {"1": {"H": 0.05, …}},
    #  "name_ink": {"1": 0.01, …}, "name_stroke": {"1": 0.0, …}, "pages": […]}
    reading = models.JSONField(_("machine reading"), default=dict)
    reasons = models.JSONField(_("reasons held"), default=list, blank=True)
    # Storage names of the page images (default_storage), in page order.
    images = models.JSONField(_("page images"), default=list, blank=True)
    ballot = models.OneToOneField(
        Ballot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scan",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("scanned ballot")
        verbose_name_plural = _("scanned ballots")
        ordering = ["session", "entry_pass", "number"]
        constraints = [
            # A held ballot keeps its entry number: no keyed or scanned ballot may take it.
            models.UniqueConstraint(
                fields=["session", "entry_pass", "number"], name="scanned_ballot_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ScanStatus.values), name="scanned_ballot_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=ScanStatus.HELD) | Q(ballot__isnull=False),
                name="scanned_ballot_entered_unless_held",
            ),
            models.CheckConstraint(
                condition=~Q(status=ScanStatus.HELD) | Q(ballot__isnull=True),
                name="scanned_ballot_held_not_entered",
            ),
        ]
        indexes = [
            # The review screen: the held ballots of a session's pass.
            models.Index(fields=["session", "status"], name="scanned_ballot_status"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.entry_pass}/{self.number} ({self.status})"


# The running totals count one more "value" besides the five marks: a ballot invalid as a
# whole adds one to every official's WHOLE_INVALID. So, per official, the six values add up
# to the pass's ballots entered (voided entries aside).
WHOLE_INVALID = "whole_invalid"
TOTAL_VALUES = (*MarkValue.values, WHOLE_INVALID)


class PassTotal(models.Model):
    """Running totals of one entry pass: per official and value, how many ballots (voided
    entries aside) carry it.

    Kept in the same transaction as every change to ballots and marks (save, import,
    correction, void, resolution: `ballots.totals`), so the entry screen and the count's
    dashboard read a few hundred rows instead of counting every mark; so does the results
    page, once the totals agree with the pile (`reports.selectors._counts_from_totals`). The
    documents, exports and certification count the marks.
    """

    session = models.ForeignKey(VoteSession, on_delete=models.CASCADE, related_name="+")
    entry_pass = models.PositiveSmallIntegerField(choices=EntryPass.choices)
    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="+")
    value = models.CharField(max_length=20)
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("running total")
        verbose_name_plural = _("running totals")
        constraints = [
            # The upsert's conflict target; also the index every read of a pass uses. (No
            # CHECK count >= 0: SQLite checks the row an upsert proposes, before the conflict,
            # so taking one away would fail; tests recount the totals instead.)
            models.UniqueConstraint(
                fields=["session", "entry_pass", "official", "value"], name="pass_total_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.entry_pass}/{self.official_id}/{self.value}={self.count}"
