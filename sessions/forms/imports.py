from pathlib import PurePath

from django import forms
from django.utils.translation import gettext_lazy as _

from confidence_vote.lib.text import clean_text
from confidence_vote.lib.uploads import UploadKind, UploadRefused, read_upload

# Kept in the audit entry; the stored name never matters for reading the file.
FILE_NAME_MAX = 200


class ImportUploadForm(forms.Form):
    """A spreadsheet of officials or delegates. cleaned_data gains "content" (bytes) and
    "file_name"; the upload validator decides the type from the content, never the name."""

    file = forms.FileField(
        label=_("Spreadsheet file (.xlsx or .csv)"),
        widget=forms.FileInput(
            attrs={
                "accept": ".xlsx,.csv,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            # Size (declared and read), type by content and the spreadsheet's limits.
            self.content = read_upload(upload, kind=UploadKind.SPREADSHEET)
        except UploadRefused as exc:
            raise forms.ValidationError(exc.message, code="refused") from None
        return upload

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            cleaned["content"] = self.content
            name = clean_text(PurePath(upload.name or "").name.replace("\\", "/").split("/")[-1])
            cleaned["file_name"] = name[:FILE_NAME_MAX]
        return cleaned


class ImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=128)
