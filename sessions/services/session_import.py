"""Create a whole session from one JSON file: organization, officials, delegates, committee.

The file format is fixed (other organizations produce it):

    {"organization": {"name", "issuing_body", "parent_body", "place", "style", "code"},
     "title", "date": "YYYY-MM-DD", "time": "HH:MM", "venue", "legal_basis", "rule_profile",
     "percentage_base": "convened" | "collected", "meeting_body",
     "chair": {"name", "position"}, "secretary", "supervisors": [..], "report_to": [..],
     "words": {"presiding", "counting_body", "counting_head", "counting_member"},
     "signature": {"on_behalf", "deputy_of", "title"},
     "officials": [{"name", "position", "block"}],
     "delegates": [{"name", "position", "unit", "group", "present", "absence_reason"}],
     "counting_committee": [{"name", "position", "role": "chair" | "member", "username"}],
     "ballots_issued": 28}

A committee entry's optional "username" names an existing user account: the member signs in
with it, and the account gets the counting role in the session's organization when it lacks it
(audited). An unknown username refuses the whole file, naming the entry.

Reading and checking the file touch no database: every problem is reported at once, each
named by its place in the file ("officials[2].name", 0-based like a JSON path). Only a file
without problems is written, in one transaction: any refusal leaves nothing behind.
"""

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from confidence_vote.lib.text import clean_text, identity_key
from confidence_vote.rules import DEFAULT_PROFILE, PROFILES
from sessions.access import Account, User
from sessions.audit import audit_record
from sessions.errors import DomainError
from sessions.models import (
    Attendance,
    CommitteeMember,
    CommitteeRole,
    Delegate,
    DocumentStyle,
    Membership,
    Official,
    Organization,
    Role,
    VoteSession,
    delegate_keys,
)
from sessions.selectors import attendance_summary
from sessions.services.sessions import (
    session_create,
    session_open_counting,
    session_start_voting,
)

# Keys each object of the file may hold; anything else is refused (a typo must not lose data).
SESSION_KEYS = (
    "organization",
    "title",
    "date",
    "time",
    "venue",
    "legal_basis",
    "rule_profile",
    "percentage_base",
    "meeting_body",
    "chair",
    "secretary",
    "supervisors",
    "report_to",
    "words",
    "signature",
    "officials",
    "delegates",
    "counting_committee",
    "ballots_issued",
)
ORGANIZATION_KEYS = ("name", "issuing_body", "parent_body", "place", "style", "code")
CHAIR_KEYS = ("name", "position")
OFFICIAL_KEYS = ("name", "position", "block")
# File key -> session field, for the objects of the body's words and the signature.
WORDS_KEYS = {
    "presiding": "presiding_word",
    "counting_body": "counting_body_word",
    "counting_head": "counting_head_word",
    "counting_member": "counting_member_word",
}
SIGNATURE_KEYS = {
    "on_behalf": "signer_on_behalf",
    "deputy_of": "signer_deputy_of",
    "title": "signer_title",
}
DELEGATE_KEYS = ("name", "position", "unit", "group", "present", "absence_reason")
COMMITTEE_KEYS = ("name", "position", "role", "username")

DEFAULT_TIME = dt.time(8, 0)
# Reported problems beyond this many are summarised, so one broken column stays readable.
MAX_PROBLEMS = 30

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{2}:\d{2}")


@dataclass(frozen=True)
class OrganizationData:
    name: str
    issuing_body: str
    parent_body: str
    place: str
    style: str
    code: str


@dataclass(frozen=True)
class OfficialData:
    name: str
    position: str
    block: str = ""


@dataclass(frozen=True)
class DelegateData:
    name: str
    position: str
    unit: str
    group: str
    attendance: str
    absence_reason: str


@dataclass(frozen=True)
class CommitteeData:
    name: str
    position: str
    role: str
    # The account the member signs in with; "" when the file names none.
    username: str = ""


@dataclass(frozen=True)
class SessionData:
    """A checked session file, ready to be written."""

    organization: OrganizationData
    title: str
    starts_at: dt.datetime
    venue: str
    legal_basis: str
    rule_profile: str
    chair_name: str
    chair_position: str
    officials: list[OfficialData]
    delegates: list[DelegateData]
    committee: list[CommitteeData]
    ballots_issued: int | None
    # The session's document fields (sessions.services.sessions.DOCUMENT_FIELDS).
    document_fields: dict[str, Any] = field(default_factory=dict)

    @property
    def present(self) -> int:
        return sum(1 for d in self.delegates if d.attendance == Attendance.PRESENT)


def _max_length(model: type[models.Model], field: str) -> int | None:
    model_field = model._meta.get_field(field)
    return model_field.max_length if isinstance(model_field, models.Field) else None


class _Checker:
    """Collects every problem of a file, each prefixed with its path in the file."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def obj(self, value: Any, path: str, keys: tuple[str, ...]) -> dict | None:
        if not isinstance(value, dict):
            self.add(path, _("must be an object ({...})"))
            return None
        for key in value:
            if key not in keys:
                self.add(
                    f"{path}.{key}" if path else key,
                    _("unknown key (the keys are: %(keys)s)") % {"keys": ", ".join(keys)},
                )
        return value

    def items(self, value: Any, path: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(path, _("must be a list ([...])"))
            return []
        return value

    def text(
        self,
        data: dict,
        key: str,
        path: str,
        *,
        required: bool = False,
        model: type[models.Model] | None = None,
        field: str | None = None,
    ) -> str:
        """A string value, NFC-normalised with spaces folded; "" when absent or null."""
        where = f"{path}.{key}" if path else key
        value = data.get(key)
        if value is None:
            value = ""
        elif not isinstance(value, str):
            self.add(where, _("must be a string (text in double quotes)"))
            return ""
        value = clean_text(value)
        if required and not value:
            self.add(where, _("this field is required"))
        limit = _max_length(model, field or key) if model else None
        if limit and len(value) > limit:
            self.add(
                where,
                _("at most %(limit)d characters (it has %(length)d)")
                % {"limit": limit, "length": len(value)},
            )
        return value

    def choice(self, data: dict, key: str, path: str, choices: list[str], default: str) -> str:
        where = f"{path}.{key}" if path else key
        value = data.get(key)
        if value is None:
            return default
        if not isinstance(value, str) or value.strip() not in choices:
            self.add(where, _("must be one of %(choices)s") % {"choices": ", ".join(choices)})
            return default
        return value.strip()


def _check_organization(check: _Checker, value: Any) -> OrganizationData | None:
    if value is None:
        check.add("organization", _("this field is required"))
        return None
    data = check.obj(value, "organization", ORGANIZATION_KEYS)
    if data is None:
        return None
    path = "organization"
    style = data.get("style")
    if style is None or (isinstance(style, str) and not style.strip()):
        check.add("organization.style", _("this field is required"))
        style = DocumentStyle.PARTY
    else:
        style = check.choice(data, "style", path, DocumentStyle.values, DocumentStyle.PARTY)
    return OrganizationData(
        name=check.text(data, "name", path, required=True, model=Organization),
        issuing_body=check.text(data, "issuing_body", path, required=True, model=Organization),
        parent_body=check.text(data, "parent_body", path, model=Organization),
        place=check.text(data, "place", path, required=True, model=Organization),
        style=style,
        code=check.text(data, "code", path, required=True, model=Organization),
    )


def _check_starts_at(check: _Checker, data: dict) -> dt.datetime | None:
    day = None
    raw = data.get("date")
    if raw is None or raw == "":
        check.add("date", _("this field is required"))
    elif not isinstance(raw, str) or not _DATE.fullmatch(raw.strip()):
        check.add("date", _("not a date (YYYY-MM-DD)"))
    else:
        try:
            day = dt.date.fromisoformat(raw.strip())
        except ValueError:
            check.add("date", _("not a date (YYYY-MM-DD)"))
    at: dt.time | None = DEFAULT_TIME
    raw = data.get("time")
    if raw is not None:
        at = None
        if isinstance(raw, str) and _TIME.fullmatch(raw.strip()):
            try:
                at = dt.time.fromisoformat(raw.strip())
            except ValueError:
                at = None
        if at is None:
            check.add("time", _("not a time (HH:MM, 24-hour)"))
    if day is None or at is None:
        return None
    # The meeting's local time (settings.TIME_ZONE, Asia/Ho_Chi_Minh).
    return timezone.make_aware(dt.datetime.combine(day, at), timezone.get_default_timezone())


def _check_officials(check: _Checker, value: Any) -> list[OfficialData]:
    if value is None:
        check.add("officials", _("this field is required"))
        return []
    rows = check.items(value, "officials")
    if isinstance(value, list) and not rows:
        check.add("officials", _("list at least one official to be rated"))
    officials: list[OfficialData] = []
    seen: dict[tuple[str, ...], str] = {}
    for index, item in enumerate(rows):
        path = f"officials[{index}]"
        data = check.obj(item, path, OFFICIAL_KEYS)
        if data is None:
            continue
        official = OfficialData(
            name=check.text(data, "name", path, required=True, model=Official, field="full_name"),
            position=check.text(data, "position", path, required=True, model=Official),
            block=check.text(data, "block", path, model=Official),
        )
        key = identity_key(official.name, official.position)
        if official.name and key in seen:
            check.add(path, _("listed twice (same as %(other)s)") % {"other": seen[key]})
        seen.setdefault(key, path)
        officials.append(official)
    return officials


def _check_delegates(check: _Checker, value: Any) -> list[DelegateData]:
    delegates: list[DelegateData] = []
    seen: dict[tuple[str, ...], str] = {}
    for index, item in enumerate(check.items(value, "delegates")):
        path = f"delegates[{index}]"
        data = check.obj(item, path, DELEGATE_KEYS)
        if data is None:
            continue
        name = check.text(data, "name", path, required=True, model=Delegate, field="full_name")
        position = check.text(data, "position", path, model=Delegate)
        unit = check.text(data, "unit", path, model=Delegate)
        group = check.text(data, "group", path, model=Delegate)
        reason = check.text(data, "absence_reason", path, model=Delegate)
        present = data.get("present")
        if present is not None and not isinstance(present, bool):
            check.add(f"{path}.present", _("must be true or false"))
            present = None
        if present is True:
            attendance = Attendance.PRESENT
            if reason:
                check.add(
                    f"{path}.absence_reason",
                    _("a delegate who is present has no reason for absence"),
                )
        elif present is False or reason:
            attendance = Attendance.ABSENT
        else:
            # Not said either way (e.g. a list sent before the meeting): not yet recorded.
            attendance = Attendance.UNKNOWN
        key = identity_key(name, position, unit)
        if name and key in seen:
            check.add(path, _("listed twice (same as %(other)s)") % {"other": seen[key]})
        seen.setdefault(key, path)
        delegates.append(DelegateData(name, position, unit, group, attendance, reason))
    return delegates


def _check_username(check: _Checker, data: dict, path: str) -> str:
    """A committee entry's username, as typed (usernames are compared exactly); "" if none."""
    value = data.get("username")
    if value is None:
        return ""
    where = f"{path}.username"
    if not isinstance(value, str):
        check.add(where, _("must be a string (text in double quotes)"))
        return ""
    value = value.strip()
    if not value:
        check.add(where, _("leave the key out, or name an existing user account"))
    return value


def _check_committee(check: _Checker, value: Any) -> list[CommitteeData]:
    committee: list[CommitteeData] = []
    seen: dict[tuple[str, ...], str] = {}
    seen_usernames: dict[str, str] = {}
    chair_path = None
    for index, item in enumerate(check.items(value, "counting_committee")):
        path = f"counting_committee[{index}]"
        data = check.obj(item, path, COMMITTEE_KEYS)
        if data is None:
            continue
        name = check.text(
            data, "name", path, required=True, model=CommitteeMember, field="full_name"
        )
        position = check.text(data, "position", path, model=CommitteeMember)
        role = check.choice(data, "role", path, CommitteeRole.values, CommitteeRole.MEMBER)
        if role == CommitteeRole.CHAIR:
            if chair_path is not None:
                check.add(
                    f"{path}.role",
                    _("more than one chair (%(other)s is the chair already)")
                    % {"other": chair_path},
                )
            else:
                chair_path = path
        key = identity_key(name)
        if name and key in seen:
            check.add(path, _("listed twice (same as %(other)s)") % {"other": seen[key]})
        seen.setdefault(key, path)
        username = _check_username(check, data, path)
        if username and username in seen_usernames:
            check.add(
                f"{path}.username",
                _("the account %(username)s is already given to %(other)s")
                % {"username": username, "other": seen_usernames[username]},
            )
        elif username:
            seen_usernames[username] = path
        committee.append(CommitteeData(name, position, role, username))
    return committee


def _check_ballots_issued(check: _Checker, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        check.add("ballots_issued", _("must be a whole number"))
        return None
    if value < 1:
        check.add("ballots_issued", _("must be at least 1"))
        return None
    return value


def _text_lines(check: _Checker, top: dict, key: str) -> str:
    """A list of strings in the file, kept as one line each."""
    lines = []
    for index, item in enumerate(check.items(top.get(key), key)):
        if not isinstance(item, str):
            check.add(f"{key}[{index}]", _("must be a string (text in double quotes)"))
        elif clean_text(item):
            lines.append(clean_text(item))
    return "\n".join(lines)


def _check_document_fields(check: _Checker, top: dict, rule_profile: str) -> dict[str, str]:
    """The session's document fields: the base, the body's words, the signature, …"""
    fields: dict[str, Any] = {}
    base = top.get("percentage_base")
    if base is not None:
        allowed: list[str] = (
            list(PROFILES[rule_profile].allowed_bases()) if rule_profile in PROFILES else []
        )
        fields["percentage_base"] = check.choice(top, "percentage_base", "", allowed, "")
    fields["meeting_body"] = check.text(top, "meeting_body", "", model=VoteSession)
    fields["secretary_name"] = check.text(
        top, "secretary", "", model=VoteSession, field="secretary_name"
    )
    fields["supervisors"] = _text_lines(check, top, "supervisors")
    fields["report_to"] = _text_lines(check, top, "report_to")
    for key, names in (("words", WORDS_KEYS), ("signature", SIGNATURE_KEYS)):
        if top.get(key) is None:
            continue
        data = check.obj(top[key], key, tuple(names))
        if data is None:
            continue
        for file_key, name in names.items():
            fields[name] = check.text(data, file_key, key, model=VoteSession, field=name)
    return {name: value for name, value in fields.items() if value}


def session_file_validate(*, data: Any) -> SessionData:
    """Check a parsed session file; DomainError listing every problem, one per line."""
    check = _Checker()
    top = check.obj(data, "", SESSION_KEYS)
    if top is None:
        raise DomainError(_("The file must hold one JSON object ({...})."))
    organization = _check_organization(check, top.get("organization"))
    title = check.text(top, "title", "", required=True, model=VoteSession)
    starts_at = _check_starts_at(check, top)
    profiles = list(PROFILES)
    rule_profile = check.choice(top, "rule_profile", "", profiles, DEFAULT_PROFILE)
    chair_name = chair_position = ""
    if top.get("chair") is not None:
        chair = check.obj(top["chair"], "chair", CHAIR_KEYS)
        if chair is not None:
            chair_name = check.text(
                chair, "name", "chair", required=True, model=VoteSession, field="chair_name"
            )
            chair_position = check.text(
                chair, "position", "chair", model=VoteSession, field="chair_position"
            )
    venue = check.text(top, "venue", "", model=VoteSession)
    legal_basis = check.text(top, "legal_basis", "")
    officials = _check_officials(check, top.get("officials"))
    delegates = _check_delegates(check, top.get("delegates"))
    committee = _check_committee(check, top.get("counting_committee"))
    ballots_issued = _check_ballots_issued(check, top.get("ballots_issued"))
    document_fields = _check_document_fields(check, top, rule_profile)
    if check.problems:
        shown = check.problems[:MAX_PROBLEMS]
        hidden = len(check.problems) - len(shown)
        if hidden:
            shown.append(_("… and %(count)d more problems.") % {"count": hidden})
        raise DomainError("\n".join(shown))
    # Either is None only after a problem was reported above.
    assert organization is not None and starts_at is not None
    return SessionData(
        organization=organization,
        title=title,
        starts_at=starts_at,
        venue=venue,
        legal_basis=legal_basis,
        rule_profile=rule_profile,
        chair_name=chair_name,
        chair_position=chair_position,
        officials=officials,
        delegates=delegates,
        committee=committee,
        ballots_issued=ballots_issued,
        document_fields=document_fields,
    )


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    result: dict = {}
    for key, value in pairs:
        if key in result:
            raise DomainError(
                _('the key "%(key)s" appears twice in one object (the second would be lost)')
                % {"key": key}
            )
        result[key] = value
    return result


def session_file_load(*, path: str | Path) -> Any:
    """Read a session file: UTF-8 JSON, at most settings.IMPORT_MAX_BYTES. DomainError if not."""
    path = Path(path)
    if not path.exists():
        raise DomainError(_("file not found"))
    if not path.is_file():
        raise DomainError(_("not a file"))
    size = path.stat().st_size
    if size > settings.IMPORT_MAX_BYTES:
        raise DomainError(
            _("the file is too large (%(size)d bytes; at most %(limit)d)")
            % {"size": size, "limit": settings.IMPORT_MAX_BYTES}
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DomainError(_("cannot read the file (%(error)s)") % {"error": exc.strerror}) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DomainError(
            _(
                "not UTF-8 text (line %(line)d, column %(column)d): save the file as UTF-8 "
                "and try again"
            )
            % {"line": line, "column": column}
        ) from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise DomainError(
            _("not valid JSON: %(error)s (line %(line)d, column %(column)d)")
            % {"error": exc.msg, "line": exc.lineno, "column": exc.colno}
        ) from None


# Model field -> key in the file, for messages about a row that failed full_clean().
_FILE_KEYS = {"full_name": "name", "attendance": "present", "chair_name": "chair.name"}


def _save(instance: models.Model, path: str) -> None:
    """full_clean() then save(); a refusal names the row of the file it came from."""
    try:
        instance.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        where = path
        if field != "__all__":
            key = _FILE_KEYS.get(field, field)
            where = f"{path}.{key}" if path else key
        raise DomainError(f"{where}: {messages[0]}") from None
    instance.save()


def _match_one(candidates: list[int]) -> int | None:
    return candidates[0] if len(candidates) == 1 else None


def _official_links(data: SessionData) -> list[int | None]:
    """For each official, the index of the one delegate with the same name (and position,
    when the delegate has one); None when there is no such delegate or several. A delegate
    claimed by two officials is linked to neither."""
    links = []
    for official in data.officials:
        name, position = identity_key(official.name, official.position)
        links.append(
            _match_one(
                [
                    i
                    for i, d in enumerate(data.delegates)
                    if identity_key(d.name)[0] == name
                    and (not d.position or identity_key(d.position)[0] == position)
                ]
            )
        )
    claimed = [link for link in links if link is not None]
    return [link if link is None or claimed.count(link) == 1 else None for link in links]


def _committee_links(data: SessionData) -> list[int | None]:
    """For each committee member, the index of the one delegate with the same name."""
    return [
        _match_one([i for i, d in enumerate(data.delegates) if identity_key(d.name) == key])
        for key in (identity_key(m.name) for m in data.committee)
    ]


def _committee_accounts(data: SessionData) -> list[Account | None]:
    """For each committee entry, the user account its "username" names (None without one);
    DomainError naming every entry whose account does not exist or cannot sign in."""
    User = get_user_model()
    usernames = {member.username for member in data.committee if member.username}
    accounts = {
        account.get_username(): account
        for account in User.objects.filter(**{f"{User.USERNAME_FIELD}__in": usernames})
    }
    problems = []
    for index, member in enumerate(data.committee):
        if not member.username:
            continue
        where = f"counting_committee[{index}].username"
        account = accounts.get(member.username)
        if account is None:
            problems.append(
                f"{where}: "
                + _("there is no user account %(username)s (create it first, or leave the key out)")
                % {"username": member.username}
            )
        elif not account.is_active:
            problems.append(
                f"{where}: "
                + _("the user account %(username)s is disabled") % {"username": member.username}
            )
    if problems:
        raise DomainError("\n".join(problems))
    return [accounts.get(member.username) for member in data.committee]


def _grant_counting_role(*, user: User | None, session: VoteSession, account: Account) -> None:
    """A committee member's account needs the counting role in the session's organization to
    enter ballots and sign off: give it when missing, and say so in the history."""
    _membership, created = Membership.objects.get_or_create(
        user=account, organization=session.organization, role=Role.COUNTING
    )
    if created:
        audit_record(
            action="membership.create",
            user=user,
            session=session,
            data={"account": account.get_username()},
        )


@transaction.atomic
def session_import(*, user: User | None, data: Any) -> VoteSession:
    """Create a session and all its lists from a parsed session file, or nothing at all.

    The organization is matched by name, else created. With `ballots_issued` the session
    goes through voting straight to counting with that many ballots issued.
    """
    checked = session_file_validate(data=data)
    accounts = _committee_accounts(checked)
    org_data = checked.organization
    organization = Organization.objects.filter(name=org_data.name).first()
    if organization is None:
        organization = Organization(
            name=org_data.name,
            issuing_body=org_data.issuing_body,
            parent_body=org_data.parent_body,
            place=org_data.place,
            style=org_data.style,
            code=org_data.code,
        )
        _save(organization, "organization")
    try:
        session = session_create(
            user=user,
            organization=organization,
            title=checked.title,
            starts_at=checked.starts_at,
            rule_profile=checked.rule_profile,
            legal_basis=checked.legal_basis,
            venue=checked.venue,
            chair_name=checked.chair_name,
            chair_position=checked.chair_position,
            **checked.document_fields,
        )
    except DomainError as exc:
        raise DomainError(f"{exc.field or 'session'}: {exc.message}", field=exc.field) from None

    delegates: list[Delegate] = []
    for index, row in enumerate(checked.delegates):
        present = row.attendance == Attendance.PRESENT
        delegate = Delegate(
            session=session,
            full_name=row.name,
            position=row.position,
            unit=row.unit,
            group=row.group,
            order=index + 1,
            attendance=row.attendance,
            absence_reason=row.absence_reason,
            # The file says who came, not when: they were there when the meeting opened.
            checked_in_at=checked.starts_at if present else None,
            **delegate_keys(
                full_name=row.name, position=row.position, unit=row.unit, group=row.group
            ),
        )
        _save(delegate, f"delegates[{index}]")
        delegates.append(delegate)

    official_links = _official_links(checked)
    for index, (official_row, link) in enumerate(
        zip(checked.officials, official_links, strict=True)
    ):
        official = Official(
            session=session,
            full_name=official_row.name,
            position=official_row.position,
            order=index + 1,
            block=official_row.block,
            delegate=delegates[link] if link is not None else None,
        )
        _save(official, f"officials[{index}]")

    committee_links = _committee_links(checked)
    for index, (member_row, link, account) in enumerate(
        zip(checked.committee, committee_links, accounts, strict=True)
    ):
        linked = delegates[link] if link is not None else None
        if account is not None:
            _grant_counting_role(user=user, session=session, account=account)
        member = CommitteeMember(
            session=session,
            full_name=member_row.name,
            position=member_row.position or (linked.position if linked else ""),
            role=member_row.role,
            delegate=linked,
            user=account,
        )
        _save(member, f"counting_committee[{index}]")

    audit_record(
        action="session.import",
        user=user,
        session=session,
        data={
            "officials": len(checked.officials),
            "delegates": len(checked.delegates),
            "present": checked.present,
        },
    )

    if checked.ballots_issued is not None:
        try:
            session = session_start_voting(user=user, session=session)
            session = session_open_counting(
                user=user, session=session, ballots_issued=checked.ballots_issued
            )
        except DomainError as exc:
            raise DomainError(f"ballots_issued: {exc.message}", field="ballots_issued") from None
    return session


def session_import_file(*, user: User | None, path: str | Path) -> VoteSession:
    """Read, check and import one session file (see session_file_load and session_import)."""
    return session_import(user=user, data=session_file_load(path=path))


def import_summary(*, session: VoteSession) -> dict[str, int]:
    """The counts a command prints after an import."""
    summary = attendance_summary(session=session)
    return {
        "officials": session.officials.count(),
        "delegates": summary.convened,
        "present": summary.present,
        "absent": summary.absent,
        "committee": session.committee_members.count(),
    }
