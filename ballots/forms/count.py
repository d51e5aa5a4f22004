"""Forms of the count's pages: the chair's actions, resolving a difference, the hand count."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ballots.inputs import BallotInput
from ballots.models import InvalidReason, MarkValue
from ballots.selectors import TALLY_COLUMNS
from sessions.models import Typing

TYPING_CHOICES = [
    (Typing.ANY, _("Types either pass")),
    (Typing.FIRST, _("Types the first pass")),
    (Typing.SECOND, _("Types the second pass")),
    (Typing.NONE, _("Does not type")),
]


class CountOpenForm(forms.Form):
    ballots_issued = forms.IntegerField(
        label=_("Ballots issued"),
        min_value=1,
        help_text=_("At most one ballot for each delegate present."),
    )

    def __init__(self, *args, members=(), **kwargs):
        """With double entry, one choice per committee member: who types which pass."""
        super().__init__(*args, **kwargs)
        self.members = list(members)
        for member in self.members:
            default = Typing.NONE if member.is_chair else Typing.ANY
            self.fields[f"typing_{member.pk}"] = forms.ChoiceField(
                label=member.full_name,
                choices=TYPING_CHOICES,
                initial=member.typing or default,
                required=False,
            )

    def typing(self) -> dict[int, str]:
        """The choices made; a member left out keeps the default."""
        chosen = {m.pk: self.cleaned_data.get(f"typing_{m.pk}") for m in self.members}
        return {pk: value for pk, value in chosen.items() if value}


class CollectedForm(forms.Form):
    ballots_collected = forms.IntegerField(
        label=_("Ballots collected"),
        min_value=0,
        help_text=_("Count the ballots in the box before entering any."),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. a ballot was misread")}),
    )


def first_error(form: forms.Form) -> str:
    """A form's first problem as one line, for a message on the page it redirects to."""
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        return f"{field.label}: {errors[0]}" if field is not None else str(errors[0])
    return ""


class ResolveForm(forms.Form):
    """The true content of one paper ballot: a mark per official, or invalid as a whole."""

    invalid_reason = forms.ChoiceField(
        label=_("The whole ballot is invalid"),
        choices=[("", _("No: the ballot is valid"))] + list(InvalidReason.choices),
        required=False,
    )
    invalid_note = forms.CharField(label=_("Note"), max_length=300, required=False)
    reason = forms.CharField(
        label=_("Comment (optional)"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. checked against the paper ballot")}),
    )

    def __init__(self, *args, officials, **kwargs):
        super().__init__(*args, **kwargs)
        self.officials = list(officials)
        for official in self.officials:
            self.fields[self.mark_name(official.order)] = forms.ChoiceField(
                label=official.full_name,
                choices=MarkValue.choices,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )

    @staticmethod
    def mark_name(order: int) -> str:
        return f"mark_{order}"

    @classmethod
    def initial_from(cls, side: dict | None, *, officials) -> dict:
        """Initial values that copy one pass's side of the difference."""
        if side is None:
            return {}
        initial = {"invalid_reason": side["invalid_reason"]}
        for official in officials:
            value = side["marks"].get(official.order)
            if value:
                initial[cls.mark_name(official.order)] = value
        return initial

    def mark_rows(self):
        """(official, bound field) per official, in ballot order."""
        return [(o, self[self.mark_name(o.order)]) for o in self.officials]

    def clean(self):
        data = super().clean()
        if not data.get("invalid_reason"):
            for official in self.officials:
                name = self.mark_name(official.order)
                if name in data and not data[name]:
                    self.add_error(name, _("Choose the mark on the paper ballot."))
        return data

    def ballot_input(self) -> BallotInput:
        data = self.cleaned_data
        marks = {}
        if not data["invalid_reason"]:
            marks = {o.order: data[self.mark_name(o.order)] for o in self.officials}
        return BallotInput(
            number=None,
            marks=marks,
            invalid_reason=data["invalid_reason"],
            invalid_note=data["invalid_note"],
        )


class HandCountForm(forms.Form):
    """Four numbers per official: high, medium, low, invalid."""

    def __init__(self, *args, officials, **kwargs):
        super().__init__(*args, **kwargs)
        self.officials = list(officials)
        labels = {
            "high": _("High confidence"),
            "medium": _("Confidence"),
            "low": _("Low confidence"),
            "invalid": _("Invalid"),
        }
        for official in self.officials:
            for column in TALLY_COLUMNS:
                label = f"{official.full_name}: {labels[column]}"
                self.fields[self.cell_name(official.order, column)] = forms.IntegerField(
                    label=label,
                    min_value=0,
                    widget=forms.NumberInput(
                        attrs={
                            "class": "form-control form-control-sm text-end",
                            "aria-label": label,
                            "data-column": column,
                        }
                    ),
                )

    @staticmethod
    def cell_name(order: int, column: str) -> str:
        return f"o{order}_{column}"

    @classmethod
    def initial_from(cls, totals: dict[int, dict[str, int]]) -> dict:
        return {
            cls.cell_name(order, column): counts[column]
            for order, counts in totals.items()
            for column in TALLY_COLUMNS
        }

    def cell_rows(self):
        """(official, [bound field per column]) per official, in ballot order."""
        return [
            (o, [self[self.cell_name(o.order, column)] for column in TALLY_COLUMNS])
            for o in self.officials
        ]

    def rows(self) -> dict[int, tuple[int, int, int, int]]:
        data = self.cleaned_data
        return {
            o.order: tuple(data[self.cell_name(o.order, column)] for column in TALLY_COLUMNS)
            for o in self.officials
        }
