"""The ballot file upload's form: the entry pass and the file."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy

from ballots.models import EntryPass
from sessions.forms.imports import ImportUploadForm
from sessions.models import VoteSession


class BallotUploadForm(ImportUploadForm):
    """The pass and the file; cleaned_data gains "content" (bytes) and "file_name"."""

    field_order = ["entry_pass", "file"]

    entry_pass = forms.TypedChoiceField(label=gettext_lazy("Entry pass"), coerce=int)

    def __init__(self, *args, session: VoteSession, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = gettext_lazy("Ballots file (.csv or .xlsx)")
        passes = [EntryPass.FIRST, EntryPass.SECOND] if session.double_entry else [EntryPass.FIRST]
        field = cast(forms.TypedChoiceField, self.fields["entry_pass"])
        field.choices = [(p.value, p.label) for p in passes]
        if not session.double_entry:
            # One pass only: shown, not choosable; a posted value is ignored.
            field.disabled = True
            field.initial = EntryPass.FIRST
            field.help_text = gettext_lazy("Double entry is off: there is one entry pass.")
