from dataclasses import replace
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from confidence_vote.lib.text import fold, name_order_key
from confidence_vote.rules import DEFAULT_PROFILE, RuleProfile, get_profile, profile_choices
from confidence_vote.rules.base import Words
from sessions.lifecycle import INITIAL_STATUS, SessionStatus, State, issued_known_condition

# A legal basis is a few paragraphs (plans, decisions, dates): 4000 characters is about a
# page. It is printed in every document, so it is bounded like every other text.
LEGAL_BASIS_MAX_LENGTH = 4000
# An audit reason (unlocking, reopening, correcting a ballot) is a sentence or two.
AUDIT_REASON_MAX_LENGTH = 2000


def text_at_most(field: str, length: int, name: str) -> models.CheckConstraint:
    """A CheckConstraint that a TextField holds at most `length` characters."""
    return models.CheckConstraint(condition=LessThanOrEqual(Length(field), length), name=name)


if TYPE_CHECKING:  # pragma: no cover
    from sessions.access import SessionAccess


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


class PercentageBaseChoice(models.TextChoices):
    CONVENED = "convened", _("All deputies (convened), present or not")
    COLLECTED = "collected", _("Ballots collected")


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
        max_length=LEGAL_BASIS_MAX_LENGTH,
        validators=[MaxLengthValidator(LEGAL_BASIS_MAX_LENGTH)],
        help_text=_('E.g. "Kế hoạch số 72-KH/BCSĐ, ngày 01/6/2023 của Ban Cán sự Đảng".'),
    )
    starts_at = models.DateTimeField(_("date and time"))
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    chair_name = models.CharField(_("chair of the meeting"), max_length=200, blank=True)
    chair_position = models.CharField(_("chair's position"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=SessionStatus.choices, default=INITIAL_STATUS
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
    # The percentage base, when the rule profile lets a session choose ("" = the profile's).
    percentage_base = models.CharField(
        _("percentage base"),
        max_length=10,
        blank=True,
        choices=PercentageBaseChoice.choices,
        help_text=_(
            "What the percentages are taken over. Elected bodies: all deputies (NQ 85/2014 "
            "practice, the default) or the ballots collected. Empty: the rule profile's."
        ),
    )
    # The meeting, when it is not the issuing body: "Hội đồng nhân dân tỉnh Vĩnh Phúc khóa
    # XVII, kỳ họp thứ 13" (documents of an elected body's Ban kiểm phiếu, the resolution).
    meeting_body = models.CharField(
        _("meeting body"),
        max_length=300,
        blank=True,
        help_text=_(
            'Who holds the meeting, when not the issuing body, e.g. "Hội đồng nhân dân tỉnh '
            'Vĩnh Phúc khóa XVII, kỳ họp thứ 13".'
        ),
    )
    # The body's words, each empty for the rule profile's (see `words`).
    presiding_word = models.CharField(
        _("who presides"), max_length=40, blank=True, help_text=_("E.g. Chủ trì, Chủ tọa.")
    )
    counting_body_word = models.CharField(
        _("counting body"),
        max_length=60,
        blank=True,
        help_text=_("E.g. Tổ kiểm phiếu, Ban kiểm phiếu."),
    )
    counting_head_word = models.CharField(
        _("head of the counting body"),
        max_length=40,
        blank=True,
        help_text=_("E.g. Tổ trưởng, Trưởng ban."),
    )
    counting_member_word = models.CharField(
        _("member of the counting body"),
        max_length=40,
        blank=True,
        help_text=_("E.g. Thành viên, Ủy viên."),
    )
    # The report's signature, set for the person who signs, never built from the position.
    signer_on_behalf = models.CharField(
        _("signature: on behalf of"),
        max_length=200,
        blank=True,
        help_text=_('E.g. "T/M BAN CÁN SỰ ĐẢNG" or "TM. HỘI ĐỒNG NHÂN DÂN".'),
    )
    signer_deputy_of = models.CharField(
        _("signature: deputy of"),
        max_length=100,
        blank=True,
        help_text=_('Only when a deputy signs: e.g. "CHỦ TỊCH" prints "KT. CHỦ TỊCH".'),
    )
    signer_title = models.CharField(
        _("signature: short title"),
        max_length=100,
        blank=True,
        help_text=_('The signer\'s short title, e.g. "BÍ THƯ", "CHỦ TỊCH", "PHÓ CHỦ TỊCH".'),
    )
    secretary_name = models.CharField(_("secretary"), max_length=200, blank=True)
    supervisors = models.TextField(
        _("supervisors from the higher level"),
        blank=True,
        help_text=_("One per line: name and position."),
    )
    report_to = models.TextField(
        _("report addressed to"),
        blank=True,
        help_text=_("One body per line; empty: the parent body."),
    )
    # The result's version: 1 at the first certification, one more at each reopening after it.
    result_version = models.PositiveIntegerField(_("result version"), default=1)
    # The physical count of ballots collected, recorded by the committee chair.
    ballots_collected = models.PositiveIntegerField(_("ballots collected"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The user's capabilities, set by sessions.access.get_session_for (not a column).
    access: "SessionAccess"

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
                condition=issued_known_condition(),
                name="session_counting_has_issued",
            ),
            models.CheckConstraint(
                condition=Q(ballots_collected__isnull=True)
                | Q(ballots_collected__lte=models.F("ballots_issued")),
                name="session_collected_at_most_issued",
            ),
            text_at_most("legal_basis", LEGAL_BASIS_MAX_LENGTH, "session_legal_basis_length"),
        ]
        indexes = [
            # The session list: one organization's sessions, newest first.
            models.Index(fields=["organization", "-starts_at"], name="session_org_starts"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def state(self) -> State:
        """What the session's state allows, for templates (sessions/lifecycle.py)."""
        return State(self)

    @property
    def profile(self) -> RuleProfile:
        return get_profile(self.rule_profile)

    @property
    def effective_percentage_base(self) -> str:
        return self.profile.base_for(self.percentage_base)

    @property
    def words(self) -> Words:
        """The body's words: the profile's, each overridden by the session's own."""
        words = self.profile.words
        return replace(
            words,
            presiding=self.presiding_word or words.presiding,
            counting_body=self.counting_body_word or words.counting_body,
            counting_head=self.counting_head_word or words.counting_head,
            counting_member=self.counting_member_word or words.counting_member,
        )

    def clean(self) -> None:
        super().clean()
        if self.percentage_base and self.rule_profile in dict(profile_choices()):
            allowed = self.profile.allowed_bases()
            if self.percentage_base not in allowed:
                raise ValidationError(
                    {
                        "percentage_base": _(
                            "This rule profile takes the percentages over %(bases)s only."
                        )
                        % {
                            "bases": ", ".join(
                                str(PercentageBaseChoice(base).label) for base in allowed
                            )
                        }
                    }
                )


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
    # The block the official is rated in ("Khối HĐND", "Khối UBND"); empty: no blocks.
    block = models.CharField(
        _("block"), max_length=100, blank=True, help_text=_("E.g. Khối HĐND, Khối UBND.")
    )

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


def delegate_keys(*, full_name: str, position: str = "", unit: str = "", group: str = "") -> dict:
    """The stored search and sort keys of a delegate with these details."""
    return {
        "search_key": fold(" ".join([full_name, position, unit, group])),
        "name_key": name_order_key(full_name),
    }


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
    # For searching and sorting thousands in SQL, a page at a time (`delegate_keys`): the
    # name, position, unit and group folded (lower case, no diacritics), and the name's
    # Vietnamese sort key. Written with the name by every service that writes it.
    search_key = models.TextField(editable=False, default="")
    name_key = models.TextField(editable=False, default="")

    # Set by the attendance page for the row it selects.
    selected: bool

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


class Typing(models.TextChoices):
    """Which entry pass a committee member types (blind double entry); set when the count opens.
    By default every member but the chair types, either pass."""

    DEFAULT = "", _("By role: members type, the chair oversees")
    NONE = "none", _("Does not type")
    ANY = "any", _("Types either pass")
    FIRST = "1", _("Types the first pass")
    SECOND = "2", _("Types the second pass")


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
    typing = models.CharField(
        _("ballot entry"), max_length=4, choices=Typing.choices, default=Typing.DEFAULT, blank=True
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
            models.CheckConstraint(
                condition=Q(typing__in=Typing.values), name="committee_typing_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_chair(self) -> bool:
        """Heads the committee (its name on documents and pages; rights come from access)."""
        return self.role == CommitteeRole.CHAIR


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
    reason = models.TextField(
        blank=True,
        max_length=AUDIT_REASON_MAX_LENGTH,
        validators=[MaxLengthValidator(AUDIT_REASON_MAX_LENGTH)],
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            text_at_most("reason", AUDIT_REASON_MAX_LENGTH, "audit_reason_length"),
        ]
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


class SignerKind(models.TextChoices):
    # A PKCS#12 file (and its password file) in SIGNING_DIR.
    PKCS12 = "pkcs12", _("Certificate file (.p12)")
    # A key that never leaves a USB token or an HSM, reached through its PKCS#11 module.
    PKCS11 = "pkcs11", _("USB token or HSM (PKCS#11)")


class SigningSetup(models.Model):
    """How an organization signs its certified documents, set by a superuser; one per
    organization. The certificate (public) is kept here: the session overview tells from it
    whether certification will be possible, and verification trusts it. Private material is
    never in the database: a .p12 and its password live in SIGNING_DIR; a token's PIN is read
    from a file or an environment variable named here."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="signing_setup"
    )
    kind = models.CharField(_("signer"), max_length=10, choices=SignerKind.choices)
    is_trial = models.BooleanField(_("trial certificate"), default=False)
    certificate = models.BinaryField(_("certificate (DER)"))
    subject = models.CharField(_("subject"), max_length=1000)
    # The holder's name (the subject's CN), for messages.
    common_name = models.CharField(_("holder"), max_length=255, blank=True)
    issuer = models.CharField(_("issuer"), max_length=1000)
    serial = models.CharField(_("serial number"), max_length=100)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    sha256 = models.CharField(_("SHA-256 fingerprint"), max_length=64)
    # PKCS#11 only.
    pkcs11_module = models.CharField(_("PKCS#11 module path"), max_length=500, blank=True)
    token_label = models.CharField(_("token label"), max_length=32, blank=True)
    key_label = models.CharField(_("key label"), max_length=200, blank=True)
    key_id = models.CharField(_("key ID (hex)"), max_length=200, blank=True)
    cert_label = models.CharField(_("certificate label"), max_length=200, blank=True)
    pin_file = models.CharField(_("PIN file"), max_length=500, blank=True)
    pin_env = models.CharField(_("PIN environment variable"), max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("signing setup")
        verbose_name_plural = _("signing setups")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SignerKind.values), name="signing_setup_kind_valid"
            ),
            # A token needs its module, its label, a way to find the key and exactly one PIN
            # source; a .p12 needs none of these.
            models.CheckConstraint(
                condition=(
                    Q(kind=SignerKind.PKCS12, pkcs11_module="", token_label="", pin_file="")
                    & Q(pin_env="")
                )
                | (
                    Q(kind=SignerKind.PKCS11)
                    & ~Q(pkcs11_module="")
                    & ~Q(token_label="")
                    & (~Q(key_label="") | ~Q(key_id=""))
                    & ((~Q(pin_file="") & Q(pin_env="")) | (Q(pin_file="") & ~Q(pin_env="")))
                ),
                name="signing_setup_pkcs11_fields",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.kind})"


class PastSigningCertificate(models.Model):
    """A certificate the organization signed with before it was replaced (renewed, or a trial
    replaced by the real one). Documents signed with it stay verifiable: verification trusts
    the organization's current certificate and these."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="past_signing_certificates"
    )
    certificate = models.BinaryField(_("certificate (DER)"))
    sha256 = models.CharField(_("SHA-256 fingerprint"), max_length=64)
    subject = models.CharField(_("subject"), max_length=1000)
    is_trial = models.BooleanField(_("trial certificate"), default=False)
    not_after = models.DateTimeField(_("valid until"))
    retired_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("past signing certificate")
        verbose_name_plural = _("past signing certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "sha256"], name="past_signing_certificate_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.subject}"
