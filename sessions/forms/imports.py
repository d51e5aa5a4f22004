from pathlib import PurePath

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from confidence_vote.lib.text import clean_text

# Kept in the audit entry; the stored name never matters for reading the file.
FILE_NAME_MAX = 200


class ImportUploadForm(forms.Form):
    """A spreadsheet of officials or delegates. cleaned_data gains "content" (bytes) and
    "file_name"; the file's type is decided later, from its content."""

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
        limit = settings.IMPORT_MAX_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; at most %(limit)s is accepted."),
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
                code="too_large",
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            upload.seek(0)
            # One byte over the limit is enough to refuse a file whose size was not declared.
            cleaned["content"] = upload.read(settings.IMPORT_MAX_BYTES + 1)
            name = clean_text(PurePath(upload.name or "").name.replace("\\", "/").split("/")[-1])
            cleaned["file_name"] = name[:FILE_NAME_MAX]
        return cleaned


class ImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=128)
