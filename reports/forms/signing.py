"""Forms of an organization's signing key (superusers): a .p12 file, a trial certificate, a
key on a PKCS#11 token."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


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
