from django import forms
from django.utils.translation import gettext_lazy as _

from sessions.models import Organization, PercentageBaseChoice, VoteSession

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SessionForm(forms.ModelForm):
    """The conference's details. Saved through session_create / session_update."""

    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none(), empty_label=None
    )

    class Meta:
        model = VoteSession
        fields = [
            "organization",
            "title",
            "rule_profile",
            "legal_basis",
            "starts_at",
            "venue",
            "chair_name",
            "chair_position",
            "double_entry",
            # What the documents print: the base, the body's words, the signature, people.
            "percentage_base",
            "meeting_body",
            "presiding_word",
            "counting_body_word",
            "counting_head_word",
            "counting_member_word",
            "signer_on_behalf",
            "signer_deputy_of",
            "signer_title",
            "secretary_name",
            "supervisors",
            "report_to",
        ]
        widgets = {
            "starts_at": DATETIME_INPUT,
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
            "supervisors": forms.Textarea(attrs={"rows": 2}),
            "report_to": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["percentage_base"].choices = [
            ("", _("As the rule profile says")),
            *PercentageBaseChoice.choices,
        ]
        if organizations is None:
            # Editing: the organization never changes.
            del self.fields["organization"]
        else:
            self.fields["organization"].queryset = organizations
            only = list(organizations[:2])
            if len(only) == 1:
                self.fields["organization"].widget = forms.HiddenInput()
                self.fields["organization"].initial = only[0].pk

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("organization", None)
        return data


class UnlockForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for unlocking"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. a delegate was left off the list")}),
    )
