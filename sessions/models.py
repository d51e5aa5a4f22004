from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from confidence_vote.rules import DEFAULT_PROFILE, RuleProfile, get_profile, profile_choices


class DocumentStyle(models.TextChoices):
    # Hướng dẫn 36-HD/VPTW: "ĐẢNG CỘNG SẢN VIỆT NAM", "Số 01-BB/BCSĐ".
    PARTY = "party", _("Party body")
    # Nghị định 30/2020/NĐ-CP: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: ...".
    STATE = "state", _("State body")


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=255, unique=True)
    issuing_body = models.CharField(
        _("issuing body"),
        max_length=255,
        help_text=_(
            "The body that issues the documents, e.g. Ban Cán sự Đảng VKSND tỉnh Quảng Ninh."
        ),
    )
    parent_body = models.CharField(
        _("parent body"),
        max_length=255,
        blank=True,
        help_text=_("The line above the issuing body in document headers."),
    )
    place = models.CharField(
        _("place name"),
        max_length=100,
        help_text=_('Used in document dates: "Quảng Ninh, ngày 03 tháng 7 năm 2023".'),
    )
    style = models.CharField(
        _("document style"),
        max_length=10,
        choices=DocumentStyle.choices,
        default=DocumentStyle.PARTY,
    )
    code = models.CharField(
        _("short code"),
        max_length=30,
        help_text=_('The issuing body\'s code in document numbers, e.g. "BCSĐ".'),
    )

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    SECRETARIAT = "secretariat", _("Secretariat")
    COUNTING = "counting", _("Counting committee")
    LEADERSHIP = "leadership", _("Leadership")


class Membership(models.Model):
    """A user's role in an organization; a user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="membership_unique_role"
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.get_role_display()}"


class SessionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    VOTING = "voting", _("Voting")
    COUNTING = "counting", _("Counting")
    COUNTED = "counted", _("Counted")
    CERTIFIED = "certified", _("Certified")


class VoteSession(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="vote_sessions"
    )
    title = models.CharField(_("title"), max_length=300)
    rule_profile = models.CharField(
        _("rule profile"), max_length=40, choices=profile_choices(), default=DEFAULT_PROFILE
    )
    legal_basis = models.TextField(
        _("legal basis"),
        blank=True,
        help_text=_('E.g. "Kế hoạch số 72-KH/BCSĐ, ngày 01/6/2023 của Ban Cán sự Đảng".'),
    )
    starts_at = models.DateTimeField(_("date and time"))
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    chair_name = models.CharField(_("chair of the meeting"), max_length=200, blank=True)
    chair_position = models.CharField(_("chair's position"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=SessionStatus.choices, default=SessionStatus.DRAFT
    )
    # Recorded when counting opens: at most the delegates present.
    ballots_issued = models.PositiveIntegerField(_("ballots issued"), null=True, blank=True)
    # Blind double entry: two committee members each enter the whole pile.
    double_entry = models.BooleanField(
        _("double entry"),
        default=True,
        help_text=_(
            "Two committee members each enter the whole pile of ballots without seeing the "
            "other's entries; the count closes only when both agree."
        ),
    )
    # The result's version: 1 at the first certification, one more at each reopening after it.
    result_version = models.PositiveIntegerField(_("result version"), default=1)
    # The physical count of ballots collected, recorded by the committee chair.
    ballots_collected = models.PositiveIntegerField(_("ballots collected"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("vote session")
        verbose_name_plural = _("vote sessions")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SessionStatus.values), name="session_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(rule_profile__in=[code for code, _label in profile_choices()]),
                name="session_rule_profile_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=SessionStatus.DRAFT)
                | Q(status=SessionStatus.VOTING)
                | Q(ballots_issued__isnull=False),
                name="session_counting_has_issued",
            ),
            models.CheckConstraint(
                condition=Q(ballots_collected__isnull=True)
                | Q(ballots_collected__lte=models.F("ballots_issued")),
                name="session_collected_at_most_issued",
            ),
        ]
        indexes = [
            # The session list: one organization's sessions, newest first.
            models.Index(fields=["organization", "-starts_at"], name="session_org_starts"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def lists_locked(self) -> bool:
        """Officials, delegates and the committee change only while in draft."""
        return self.status != SessionStatus.DRAFT

    @property
    def profile(self) -> RuleProfile:
        return get_profile(self.rule_profile)


def dossier_path(instance: "Official", filename: str) -> str:
    return f"dossiers/session-{instance.session_id}/{filename}"


class Official(models.Model):
    """A person whose confidence is rated, in ballot order."""

    session = models.ForeignKey(VoteSession, on_delete=models.CASCADE, related_name="officials")
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=300)
    order = models.PositiveIntegerField(_("ballot order"))
    delegate = models.OneToOneField(
        "Delegate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="official",
        verbose_name=_("delegate record"),
    )
    dossier = models.FileField(_("dossier (PDF)"), upload_to=dossier_path, blank=True)

    class Meta:
        verbose_name = _("official")
        verbose_name_plural = _("officials")
        ordering = ["session", "order"]
        constraints = [
            models.UniqueConstraint(fields=["session", "order"], name="official_unique_order"),
            models.CheckConstraint(condition=Q(order__gte=1), name="official_order_positive"),
            models.CheckConstraint(condition=~Q(full_name=""), name="official_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.full_name


class Attendance(models.TextChoices):
    UNKNOWN = "unknown", _("Not recorded")
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")


class Delegate(models.Model):
    """A convened voter ("đại biểu được triệu tập")."""

    session = models.ForeignKey(VoteSession, on_delete=models.CASCADE, related_name="delegates")
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=300, blank=True)
    unit = models.CharField(_("unit"), max_length=300, blank=True)
    group = models.CharField(
        _("group"), max_length=300, blank=True, help_text=_("Thành phần ghi phiếu.")
    )
    order = models.PositiveIntegerField(_("list order"))
    attendance = models.CharField(
        _("attendance"), max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN
    )
    absence_reason = models.CharField(_("reason for absence"), max_length=300, blank=True)
    checked_in_at = models.DateTimeField(_("check-in time"), null=True, blank=True)

    class Meta:
        verbose_name = _("delegate")
        verbose_name_plural = _("delegates")
        ordering = ["session", "order"]
        constraints = [
            models.UniqueConstraint(fields=["session", "order"], name="delegate_unique_order"),
            # The same person listed twice: same name, position and unit.
            models.UniqueConstraint(
                fields=["session", "full_name", "position", "unit"], name="delegate_unique_person"
            ),
            models.CheckConstraint(condition=Q(order__gte=1), name="delegate_order_positive"),
            models.CheckConstraint(condition=~Q(full_name=""), name="delegate_name_not_empty"),
            models.CheckConstraint(
                condition=Q(attendance__in=Attendance.values), name="delegate_attendance_valid"
            ),
            models.CheckConstraint(
                condition=Q(attendance=Attendance.PRESENT) | Q(checked_in_at__isnull=True),
                name="delegate_checkin_only_present",
            ),
            models.CheckConstraint(
                condition=Q(attendance=Attendance.ABSENT) | Q(absence_reason=""),
                name="delegate_reason_only_absent",
            ),
        ]
        indexes = [
            # The live "present N of M" count on the attendance screen.
            models.Index(fields=["session", "attendance"], name="delegate_session_attendance"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_present(self) -> bool:
        return self.attendance == Attendance.PRESENT


class CommitteeRole(models.TextChoices):
    CHAIR = "chair", _("Chair (Tổ trưởng)")
    MEMBER = "member", _("Member")


class CommitteeMember(models.Model):
    """A member of the counting committee ("Tổ kiểm phiếu")."""

    session = models.ForeignKey(
        VoteSession, on_delete=models.CASCADE, related_name="committee_members"
    )
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=300, blank=True)
    role = models.CharField(
        _("role"), max_length=10, choices=CommitteeRole.choices, default=CommitteeRole.MEMBER
    )
    delegate = models.ForeignKey(
        Delegate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="committee_memberships",
        verbose_name=_("delegate record"),
    )
    # The account this member uses to enter ballots and sign off.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="committee_memberships",
        verbose_name=_("user account"),
    )

    class Meta:
        verbose_name = _("counting committee member")
        verbose_name_plural = _("counting committee members")
        ordering = ["session", "role", "pk"]  # "chair" sorts before "member"
        constraints = [
            models.UniqueConstraint(
                fields=["session"], condition=Q(role="chair"), name="committee_one_chair"
            ),
            models.UniqueConstraint(fields=["session", "delegate"], name="committee_delegate_once"),
            models.UniqueConstraint(fields=["session", "user"], name="committee_user_once"),
            models.UniqueConstraint(fields=["session", "full_name"], name="committee_name_once"),
            models.CheckConstraint(
                condition=Q(role__in=CommitteeRole.values), name="committee_role_valid"
            ),
            models.CheckConstraint(condition=~Q(full_name=""), name="committee_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.full_name


class AuditEntry(models.Model):
    """One write that matters: who, when, what changed, why. Never edited."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="audit_entries"
    )
    session = models.ForeignKey(
        VoteSession,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    # Kept even if the account is deleted later.
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=60)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # A session's history page, newest first.
            models.Index(fields=["session", "-created_at"], name="audit_session_created"),
            # The history's and the ballot record's filters (DISTINCT action, DISTINCT person)
            # and the history of a user who may not see ballot entries (action IN ...).
            models.Index(fields=["session", "action"], name="audit_session_action"),
            models.Index(fields=["session", "username"], name="audit_session_username"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.username} {self.action}"
