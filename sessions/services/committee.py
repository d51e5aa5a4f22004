"""The counting committee ("Tổ kiểm phiếu"): its chair and members."""

from django.db import transaction
from django.utils.translation import gettext as _

from confidence_vote.lib.text import clean_text, identity_key
from sessions import lifecycle
from sessions.access import User, committee_accounts
from sessions.audit import audit_record, changes, snapshot
from sessions.errors import DomainError
from sessions.models import CommitteeMember, CommitteeRole, Delegate, VoteSession
from sessions.services.common import lock_session, validate

MEMBER_FIELDS = ["full_name", "position", "role", "delegate_id", "user_id"]


def _lock_committee(session: VoteSession, reason: str) -> tuple[VoteSession, str]:
    """The session under its row lock, if its committee may still change: freely in draft;
    with a reason, recorded, once voting has started; never once the result is certified."""
    session = lock_session(session)
    if lifecycle.result_final(session):
        raise DomainError(
            _("The counting committee can change only until the result is certified.")
        )
    reason = clean_text(reason or "")
    if lifecycle.lists_locked(session) and not reason:
        raise DomainError(
            _("Voting has started: give the reason for changing the counting committee."),
            field="reason",
        )
    return session, reason


def counting_accounts(*, session: VoteSession):
    """Accounts that may be linked: those holding the counting role in the organization."""
    return committee_accounts(organization_id=session.organization_id)


def _check(
    *,
    session: VoteSession,
    member: CommitteeMember,
    delegate: Delegate | None,
    account,
) -> None:
    """The committee's rules, with clear messages; the constraints back them up."""
    others = session.committee_members.exclude(pk=member.pk).select_related("user")
    if delegate is not None and delegate.session_id != session.pk:
        raise DomainError(_("This delegate is not on this session's list."), field="delegate")
    if member.role == CommitteeRole.CHAIR:
        chair = next((m for m in others if m.role == CommitteeRole.CHAIR), None)
        if chair is not None:
            raise DomainError(
                _("%(name)s is already the chair; make them a member first.")
                % {"name": chair.full_name},
                field="role",
            )
    for other in others:
        if delegate is not None and other.delegate_id == delegate.pk:
            raise DomainError(
                _("%(name)s is already on the committee.") % {"name": other.full_name},
                field="delegate",
            )
        if identity_key(other.full_name) == identity_key(member.full_name):
            raise DomainError(
                _("%(name)s is already on the committee.") % {"name": other.full_name},
                field="delegate" if delegate is not None else "full_name",
            )
        if account is not None and other.user_id == account.pk:
            raise DomainError(
                _("The account %(username)s is already linked to %(name)s.")
                % {"username": account.get_username(), "name": other.full_name},
                field="account",
            )
    if (
        account is not None
        and not counting_accounts(session=session).filter(pk=account.pk).exists()
    ):
        raise DomainError(
            _(
                "Only an account with the counting committee role in this organization "
                "can be linked."
            ),
            field="account",
        )


def _fill(
    member: CommitteeMember,
    *,
    role: str,
    delegate: Delegate | None,
    account,
    full_name: str,
    position: str,
) -> None:
    if role not in CommitteeRole.values:
        raise DomainError(_("Choose chair or member."), field="role")
    if delegate is not None:
        # A delegate's name and position are copied as they stand on the list.
        full_name, position = delegate.full_name, delegate.position
    full_name, position = clean_text(full_name), clean_text(position)
    if not full_name:
        raise DomainError(
            _("Choose one of the delegates, or type the member's name."), field="full_name"
        )
    member.full_name = full_name
    member.position = position
    member.role = role
    member.delegate = delegate
    member.user = account


@transaction.atomic
def committee_member_add(
    *,
    user: User | None,
    session: VoteSession,
    role: str = CommitteeRole.MEMBER,
    delegate: Delegate | None = None,
    account=None,
    full_name: str = "",
    position: str = "",
    reason: str = "",
) -> CommitteeMember:
    """Add a member, either one of the session's delegates or someone typed in by name.

    `account` is the user account the member will use; `user` is who makes the change. Once
    voting has started a reason is needed, recorded in the history.
    """
    session, reason = _lock_committee(session, reason)
    member = CommitteeMember(session=session)
    _fill(
        member,
        role=role,
        delegate=delegate,
        account=account,
        full_name=full_name,
        position=position,
    )
    _check(session=session, member=member, delegate=delegate, account=account)
    validate(member)
    member.save()
    audit_record(
        action="committee.create",
        user=user,
        session=session,
        data={"id": member.pk, **snapshot(member, MEMBER_FIELDS)},
        reason=reason,
    )
    return member


@transaction.atomic
def committee_member_update(
    *,
    user: User | None,
    session: VoteSession,
    member: CommitteeMember,
    role: str,
    delegate: Delegate | None = None,
    account=None,
    full_name: str = "",
    position: str = "",
    reason: str = "",
) -> CommitteeMember:
    """Change a member; once voting has started, with a reason. A member replaced (another
    name or account) keeps their history: the record names who held the seat before."""
    session, reason = _lock_committee(session, reason)
    found = session.committee_members.filter(pk=member.pk).first()
    if found is None:
        raise DomainError(_("This member is not on this session's committee."))
    member = found
    before = snapshot(member, MEMBER_FIELDS)
    _fill(
        member,
        role=role,
        delegate=delegate,
        account=account,
        full_name=full_name,
        position=position,
    )
    _check(session=session, member=member, delegate=delegate, account=account)
    validate(member)
    member.save()
    diff = changes(before, snapshot(member, MEMBER_FIELDS))
    if diff:
        audit_record(
            action="committee.update",
            user=user,
            session=session,
            data={"id": member.pk, "member": member.full_name, **diff},
            reason=reason,
        )
    return member


@transaction.atomic
def committee_member_remove(
    *, user: User | None, session: VoteSession, member: CommitteeMember
) -> None:
    session = lock_session(session)
    if lifecycle.lists_locked(session):
        raise DomainError(
            _(
                "Voting has started: a seat on the committee is not removed, it is handed to "
                "someone else. Edit the member instead, with the reason."
            )
        )
    found = session.committee_members.filter(pk=member.pk).first()
    if found is None:
        raise DomainError(_("This member is not on this session's committee."))
    member = found
    data = {"id": member.pk, **snapshot(member, MEMBER_FIELDS)}
    member.delete()
    audit_record(action="committee.delete", user=user, session=session, data=data)
