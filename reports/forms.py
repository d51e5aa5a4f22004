"""Forms of the sign-off page: a member's password to confirm, the chair's reason to reopen,
the scanned paper minutes."""

from pathlib import PurePath

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from confidence_vote.lib.text import clean_text

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
        limit = settings.DOSSIER_MAX_BYTES
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
            content = upload.read(settings.DOSSIER_MAX_BYTES + 1)
            if len(content) > settings.DOSSIER_MAX_BYTES:
                self.add_error("file", _("The file is too large."))
            elif not content.startswith(b"%PDF-"):
                self.add_error("file", _("The scan must be a PDF file."))
            cleaned["content"] = content
            name = clean_text(PurePath(upload.name or "").name.replace("\\", "/").split("/")[-1])
            cleaned["file_name"] = name[:FILE_NAME_MAX] or "paper-minutes.pdf"
        return cleaned


# --- an organization's signing key (superusers) ----------------------------------------------


class P12UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Certificate file (.p12 or .pfx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".p12,.pfx"}),
    )
    password = forms.CharField(
        label=_("The file's password"),
        required=False,
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )


class P12AcceptForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    decision = forms.ChoiceField(choices=[("accept", "accept"), ("cancel", "cancel")])


class TrialCertificateForm(forms.Form):
    replace = forms.BooleanField(
        label=_("Replace the configured certificate with a trial certificate"),
        required=False,
    )


class TokenForm(forms.Form):
    """Where the key is on a USB token or an HSM; the PIN is read from a file or from an
    environment variable on the server, never typed here."""

    pkcs11_module = forms.ChoiceField(
        label=_("PKCS#11 module"),
        help_text=_(
            "The token vendor's library on the server, among those the server's administrator "
            "allowed (PKCS11_MODULES)."
        ),
    )
    token_label = forms.CharField(label=_("Token label"), max_length=32)
    key_label = forms.CharField(label=_("Key label"), max_length=200, required=False)
    key_id = forms.CharField(
        label=_("Key ID (hexadecimal)"),
        max_length=200,
        required=False,
        help_text=_("Give the key's label, its ID, or both."),
    )
    cert_label = forms.CharField(
        label=_("Certificate label"),
        max_length=200,
        required=False,
        help_text=_("Leave empty when the certificate has the key's label or ID."),
    )
    pin_file = forms.CharField(
        label=_("PIN file"),
        max_length=500,
        required=False,
        help_text=_("Absolute path of a file, readable only by the application, holding the PIN."),
    )
    pin_env = forms.CharField(
        label=_("or PIN environment variable"),
        max_length=100,
        required=False,
        help_text=_("The name of an environment variable of the application that holds the PIN."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pkcs11_module"].choices = [(path, path) for path in settings.PKCS11_MODULES]

    def clean_key_id(self):
        return self.cleaned_data["key_id"].replace(":", "").replace(" ", "").lower()
