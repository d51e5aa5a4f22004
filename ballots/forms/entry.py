"""Forms of the ballot entry screens: one paper ballot, its correction, voiding an entry.

The forms only check the shape of the input (known mark values, a token that is a UUID);
whether a ballot is complete is the service's rule (`ballot_record`, `ballot_correct`).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from ballots.inputs import BallotInput
from ballots.models import InvalidReason, MarkValue


def mark_field_name(order: int) -> str:
    return f"mark_{order}"


class BallotForm(forms.Form):
    """One ballot: a mark per official (`mark_<order>`), or a reason the whole ballot is invalid."""

    invalid_reason = forms.ChoiceField(
        label=_("Whole ballot invalid"),
        choices=[("", _("No: the ballot is valid")), *InvalidReason.choices],
        required=False,
    )
    invalid_note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, officials, **kwargs):
        super().__init__(*args, **kwargs)
        self.orders = [official.order for official in officials]
        for order in self.orders:
            self.fields[mark_field_name(order)] = forms.ChoiceField(
                label=_("Official no. %(order)d") % {"order": order},
                choices=MarkValue.choices,
                required=False,
                widget=forms.RadioSelect,
            )

    def ballot_input(self) -> BallotInput:
        data = self.cleaned_data
        marks = {
            order: data[mark_field_name(order)]
            for order in self.orders
            if data.get(mark_field_name(order))
        }
        return BallotInput(
            number=None,
            marks=marks,
            invalid_reason=data["invalid_reason"],
            invalid_note=data["invalid_note"],
        )


class BallotEntryForm(BallotForm):
    # A fresh UUID per ballot on the page; a resubmitted save with it finds the first ballot.
    client_token = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("The entry form is incomplete; reload the page."),
            "invalid": _("The entry form is incomplete; reload the page."),
        },
    )


class BallotCorrectForm(BallotForm):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=500,
        error_messages={"required": _("Give the reason for the correction.")},
        widget=forms.TextInput(attrs={"placeholder": _("e.g. a mark typed in the wrong row")}),
    )


class BallotVoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for voiding"),
        max_length=500,
        error_messages={"required": _("Give the reason for voiding this entry.")},
        widget=forms.TextInput(attrs={"placeholder": _("e.g. the same paper entered twice")}),
    )
