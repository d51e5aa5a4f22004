from django import forms
from django.utils.translation import gettext_lazy as _

from sessions.models import Attendance


class AttendanceMarkForm(forms.Form):
    """One mark on the attendance screen."""

    status = forms.ChoiceField(label=_("Attendance"), choices=Attendance.choices)
    reason = forms.CharField(label=_("Reason for absence"), max_length=300, required=False)
