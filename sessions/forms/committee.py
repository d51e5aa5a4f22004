from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sessions.models import CommitteeMember, CommitteeRole, VoteSession
from sessions.services.committee import counting_accounts


class DelegateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.order}. {obj.full_name}" + (f" — {obj.position}" if obj.position else "")


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        full_name = obj.get_full_name()
        return f"{full_name} ({obj.get_username()})" if full_name else obj.get_username()


class CommitteeMemberForm(forms.Form):
    """A committee member: one of the delegates, or a name typed in. Saved through the services."""

    delegate = DelegateChoiceField(
        label=_("Delegate"),
        queryset=None,
        required=False,
        empty_label=_("— not a delegate: type the name below —"),
        help_text=_(
            "Usually one of the delegates; the name and position are copied from the list."
        ),
    )
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        required=False,
        help_text=_("Only when the member is not one of the delegates."),
    )
    position = forms.CharField(label=_("Position"), max_length=300, required=False)
    role = forms.ChoiceField(
        label=_("Role"), choices=CommitteeRole.choices, initial=CommitteeRole.MEMBER
    )
    account = AccountChoiceField(
        label=_("User account"),
        queryset=None,
        required=False,
        empty_label=_("— no account —"),
        help_text=_(
            "The account this member uses to enter ballots and sign off. "
            "Only accounts with the counting committee role are listed."
        ),
    )

    def __init__(
        self, *args, session: VoteSession, member: CommitteeMember | None = None, **kwargs
    ):
        if member is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "delegate": member.delegate_id,
                "full_name": "" if member.delegate_id else member.full_name,
                "position": "" if member.delegate_id else member.position,
                "role": member.role,
                "account": member.user_id,
            }
        super().__init__(*args, **kwargs)
        # Delegates and accounts already on the committee are not offered again.
        others = session.committee_members.all()
        if member is not None:
            others = others.exclude(pk=member.pk)
        cast(DelegateChoiceField, self.fields["delegate"]).queryset = session.delegates.exclude(
            pk__in=others.filter(delegate__isnull=False).values("delegate_id")
        ).order_by("order")
        cast(AccountChoiceField, self.fields["account"]).queryset = (
            counting_accounts(session=session)
            .exclude(pk__in=others.filter(user__isnull=False).values("user_id"))
            .order_by("username")
        )

    def require_reason(self) -> None:
        """Voting has started: a change to the committee needs a reason."""
        self.fields["reason"] = forms.CharField(
            label=_("Reason for the change"),
            max_length=500,
            help_text=_("Recorded in the session's history."),
        )

    def clean(self):
        data = super().clean()
        if not data.get("delegate") and not (data.get("full_name") or "").strip():
            self.add_error(
                "full_name", _("Choose one of the delegates, or type the member's name.")
            )
        return data

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "role": data["role"],
            "delegate": data["delegate"],
            "account": data["account"],
            "full_name": data["full_name"],
            "position": data["position"],
            "reason": data.get("reason", ""),
        }
