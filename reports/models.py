"""Certification: the committee's sign-off, and the signed documents kept unchangeable."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sessions.models import CommitteeMember, VoteSession


class Confirmation(models.Model):
    """A counting committee member confirms the closed count's result (password re-entered).

    Confirmations belong to one version of the result: reopening makes a new version, which
    needs confirming again.
    """

    session = models.ForeignKey(VoteSession, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    member = models.ForeignKey(CommitteeMember, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The fingerprint of the result data the member confirmed.
    fingerprint = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("confirmation")
        verbose_name_plural = _("confirmations")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "version", "member"], name="confirmation_once_per_version"
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="confirmation_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} v{self.version}: {self.member_id}"


class DocumentKind(models.TextChoices):
    MINUTES = "minutes", _("Counting minutes")
    REPORT = "report", _("Result report")
    # The scanned paper minutes with wet signatures, uploaded after certification.
    PAPER_MINUTES = "paper_minutes", _("Scanned signed paper minutes")
    # Elected bodies: the council's resolution confirming the result.
    RESOLUTION = "resolution", _("Resolution confirming the result")


class SignedDocument(models.Model):
    """One certified document, stored once and never changed: its bytes, their SHA-256,
    the result version, who certified and when. Reopening supersedes it, never edits it."""

    session = models.ForeignKey(VoteSession, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64, unique=True)
    # The fingerprint of the result data printed in the document (empty for a scan).
    result_fingerprint = models.CharField(max_length=64, blank=True)
    file_name = models.CharField(max_length=255)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    certified_at = models.DateTimeField()
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("signed document")
        verbose_name_plural = _("signed documents")
        ordering = ["session", "-version", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "version", "kind"], name="signed_document_once_per_version"
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="signed_document_version_positive"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DocumentKind.values), name="signed_document_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} v{self.version} {self.kind}"


class DocumentDownload(models.Model):
    """Each download of a signed document: who and when."""

    document = models.ForeignKey(SignedDocument, on_delete=models.PROTECT, related_name="downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    downloaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.document_id} {self.user_id} {self.downloaded_at:%Y-%m-%d %H:%M}"


class ResultDetails(models.Model):
    """What the documents say beyond the count, entered on the sign-off page before
    certification: when the count ended and the result was announced, witnesses and
    complaints, each document's number, and the confirming resolution's vote (elected bodies).
    """

    session = models.OneToOneField(
        VoteSession, on_delete=models.CASCADE, primary_key=True, related_name="result_details"
    )
    count_ended_at = models.DateTimeField(_("count ended at"), null=True, blank=True)
    announced_at = models.DateTimeField(_("result announced at"), null=True, blank=True)
    witnesses = models.TextField(_("witnesses"), blank=True, help_text=_("One per line."))
    complaints = models.TextField(
        _("complaints and remarks"), blank=True, help_text=_("One per line.")
    )
    minutes_number = models.CharField(_("minutes number"), max_length=20, blank=True)
    report_number = models.CharField(_("report number"), max_length=20, blank=True)
    resolution_number = models.CharField(_("resolution number"), max_length=20, blank=True)
    resolution_votes_for = models.PositiveIntegerField(
        _("deputies voting for the resolution"), null=True, blank=True
    )
    resolution_passed_on = models.DateField(_("resolution passed on"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("result details")
        verbose_name_plural = _("result details")
        constraints = [
            models.CheckConstraint(
                condition=Q(announced_at__isnull=True)
                | Q(count_ended_at__isnull=True)
                | Q(announced_at__gte=models.F("count_ended_at")),
                name="result_details_announced_after_count",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}"
