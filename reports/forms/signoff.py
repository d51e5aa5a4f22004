"""Forms of the sign-off page: a member's password to confirm, the chair's reason to reopen,
the scanned paper minutes."""

from pathlib import PurePath
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from confidence_vote.lib.text import clean_text
from confidence_vote.lib.uploads import UploadKind, UploadRefused, read_upload

FILE_NAME_MAX = 200


class ConfirmForm(forms.Form):
    """A committee member re-enters their password to confirm the result."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Re-enter your password to confirm that this result is the one you counted."),
    )


class ReopenResultForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening the certified result"),
        max_length=1000,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("e.g. a ballot was entered wrongly")}
        ),
    )

    def clean_reason(self):
        return clean_text(self.cleaned_data["reason"])


class PaperMinutesForm(forms.Form):
    """The scanned paper minutes with wet signatures, as one PDF. cleaned_data gains
    "content" (bytes) and "file_name"."""

    file = forms.FileField(
        label=_("Scanned signed paper minutes (PDF)"),
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.content = read_upload(upload, kind=UploadKind.PDF)
        except UploadRefused as exc:
            raise forms.ValidationError(exc.message, code="refused") from None
        return upload

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            cleaned["content"] = self.content
            name = clean_text(PurePath(upload.name or "").name.replace("\\", "/").split("/")[-1])
            cleaned["file_name"] = name[:FILE_NAME_MAX] or "paper-minutes.pdf"
        return cleaned


DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ResultDetailsForm(forms.Form):
    """What the documents print beyond the count; the resolution's fields for elected bodies
    only (removed otherwise)."""

    count_ended_at = forms.DateTimeField(
        label=_("The count ended at"), required=False, widget=DATETIME_LOCAL
    )
    announced_at = forms.DateTimeField(
        label=_("The result was announced at"), required=False, widget=DATETIME_LOCAL
    )
    witnesses = forms.CharField(
        label=_("Witnesses of the count"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line; the minutes say “Không có” when empty."),
    )
    complaints = forms.CharField(
        label=_("Complaints and remarks about the count"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line; the minutes say “Không có” when empty."),
    )
    minutes_number = forms.CharField(label=_("Minutes number"), required=False, max_length=20)
    report_number = forms.CharField(label=_("Report number"), required=False, max_length=20)
    meeting_body = forms.CharField(
        label=_("The council's session"),
        required=False,
        max_length=300,
        help_text=_('E.g. "Hội đồng nhân dân tỉnh Vĩnh Phúc khóa XVII, kỳ họp thứ 13".'),
    )
    resolution_number = forms.CharField(label=_("Resolution number"), required=False, max_length=20)
    resolution_votes_for = forms.IntegerField(
        label=_("Deputies voting for the resolution"), required=False, min_value=0
    )
    resolution_passed_on = forms.DateField(
        label=_("Resolution passed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, elected: bool, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("count_ended_at", "announced_at"):
            field = cast(forms.DateTimeField, self.fields[name])
            field.input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        if not elected:
            for name in (
                "meeting_body",
                "resolution_number",
                "resolution_votes_for",
                "resolution_passed_on",
            ):
                del self.fields[name]
