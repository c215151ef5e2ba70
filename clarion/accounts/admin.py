"""Django admin for the accounts models, for operators; everyday work uses the settings pages."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.contrib.auth.forms import UserCreationForm as DjangoUserCreationForm
from django.utils.translation import gettext_lazy as _

from clarion.accounts.models import APIKey, Invitation, LoginAttempt, Role, Team, User


class UserCreationForm(DjangoUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "role", "is_active", "totp_enabled",
                    "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", "totp_enabled", "role", "teams")
    list_select_related = ("role",)
    search_fields = ("email", "first_name", "last_name")
    filter_horizontal = ("teams", "groups", "user_permissions")
    readonly_fields = ("last_login", "date_joined", "totp_enabled")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "language")}),
        (_("Access"), {"fields": ("role", "teams", "is_active", "totp_enabled")}),
        (_("Django admin"), {"fields": ("is_staff", "is_superuser", "groups",
                                        "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),
    )


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("name", "description")
    search_fields = ("name",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "role", "invited_by", "created_at", "accepted_at")
    list_select_related = ("role", "invited_by")
    search_fields = ("email",)
    # The token is only known to the invitee; invitations are made from the settings pages.
    exclude = ("token_hash",)
    readonly_fields = ("invited_by", "created_at", "accepted_at")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(APIKey)
class APIKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "user", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__email")
    exclude = ("key_hash",)
    readonly_fields = ("prefix", "user", "created_at", "last_used_at")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    list_display = ("at", "email", "ip_address", "succeeded", "reason")
    list_filter = ("succeeded", "reason")
    search_fields = ("email", "ip_address")
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
