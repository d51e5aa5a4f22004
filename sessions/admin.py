from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from sessions.models import AuditEntry, Membership, Organization, VoteSession


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
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
