from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from confidence_vote.lib.text import clean_text
from sessions.models import AuditEntry, Membership, Organization, VoteSession


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1


class OrganizationForm(forms.ModelForm):
    """The names printed in every document header, stored as names are: NFC, without
    invisible or direction characters."""

    class Meta:
        model = Organization
        fields = ["name", "issuing_body", "parent_body", "place", "style", "code"]

    def clean(self):
        data = super().clean()
        for name in ("name", "issuing_body", "parent_body", "place", "code"):
            if isinstance(data.get(name), str):
                data[name] = clean_text(data[name])
        return data


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    form = OrganizationForm
    list_display = ["name", "issuing_body", "place", "style", "code"]
    search_fields = ["name"]
    inlines = [MembershipInline]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserWithMembershipsAdmin(UserAdmin):
    """Superusers give users their roles in organizations here."""

    inlines = [*UserAdmin.inlines, MembershipInline]


@admin.register(VoteSession)
class VoteSessionAdmin(admin.ModelAdmin):
    """Read-only: sessions change through the application, which keeps the audit trail."""

    list_display = ["title", "organization", "starts_at", "status"]
    list_filter = ["organization", "status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "organization", "session", "username", "action"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
