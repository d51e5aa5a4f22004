from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sessions.models import CommitteeMember, CommitteeRole, VoteSession
from sessions.services.committee import counting_accounts

# Up to this many delegates the form offers them in a menu; beyond, their number is typed.
DELEGATES_IN_A_MENU = 300


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
        field = cast(DelegateChoiceField, self.fields["delegate"])
        field.queryset = session.delegates.exclude(
            pk__in=others.filter(delegate__isnull=False).values("delegate_id")
        ).order_by("order")
        if session.delegates.count() > DELEGATES_IN_A_MENU:
            # Thousands of delegates make a menu of megabytes: their number on the list
            # is typed instead (the delegates page finds it by name).
            field.to_field_name = "order"
            field.widget = forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"})
            field.label = _("Delegate's number on the list")
            field.help_text = _(
                "Usually one of the delegates: type their number on the list (search for the "
                "name on the Delegates page); the name and position are copied from the list."
            )
            if member is not None and member.delegate_id and "delegate" in self.initial:
                self.initial["delegate"] = member.delegate.order if member.delegate else None
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
