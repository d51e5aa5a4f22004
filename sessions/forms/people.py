"""Forms for officials and delegates. They parse input only; the services write."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sessions.models import Delegate, Official, VoteSession


class DelegateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Delegate) -> str:
        details = ", ".join(part for part in (obj.position, obj.unit) if part)
        return f"{obj.order}. {obj.full_name}" + (f" — {details}" if details else "")


class OfficialForm(forms.ModelForm):
    """Name, position and (optionally) the same person's delegate record."""

    delegate = DelegateChoiceField(
        label=_("Also a delegate"),
        queryset=Delegate.objects.none(),
        required=False,
        empty_label=_("— not linked —"),
        help_text=_("The same person on the list of delegates, if they vote too."),
    )

    class Meta:
        model = Official
        fields = ["full_name", "position", "block", "delegate"]
        widgets = {
            "full_name": forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
            "position": forms.TextInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args, session: VoteSession, **kwargs):
        super().__init__(*args, **kwargs)
        # This session's delegates that no other official is linked to.
        current = self.instance.delegate_id if self.instance.pk else None
        offered = session.delegates.filter(official__isnull=True)
        if current is not None:
            offered = offered | session.delegates.filter(pk=current)
        cast(DelegateChoiceField, self.fields["delegate"]).queryset = offered

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "full_name": data["full_name"],
            "position": data["position"],
            "block": data.get("block") or "",
            "delegate": data.get("delegate"),
        }


class OfficialEditForm(OfficialForm):
    """The add form's fields, plus the dossier PDF."""

    dossier = forms.FileField(
        label=_("Dossier (PDF)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
        help_text=_("The official's dossier and self-assessment, sent to the voters beforehand."),
    )
    remove_dossier = forms.BooleanField(label=_("Remove the current dossier"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.dossier:
            del self.fields["remove_dossier"]

    def clean(self):
        data = super().clean()
        if data.get("dossier") and data.get("remove_dossier"):
            self.add_error(
                "remove_dossier", _("Either upload a new dossier or remove the current one.")
            )
        return data

    def service_values(self) -> dict:
        return {
            **super().service_values(),
            "dossier": self.cleaned_data.get("dossier") or None,
            "remove_dossier": bool(self.cleaned_data.get("remove_dossier")),
        }


class DelegateForm(forms.ModelForm):
    class Meta:
        model = Delegate
        fields = ["full_name", "position", "unit", "group"]
        widgets = {
            "full_name": forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
        }

    def service_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])
