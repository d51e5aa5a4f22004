"""Forms of the sign-off page: a member's password to confirm, the chair's reason to reopen,
the scanned paper minutes."""

from pathlib import PurePath

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
