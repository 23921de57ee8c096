from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mfa.services import second_factor_reset

from .models import Membership, TestCenter, User
from .policy import capabilities_of
from .reauth import reauthenticated_admin


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["center"]


@admin.register(User)
@reauthenticated_admin  # roles change here: her password again first
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "staff_code",
        "first_name",
        "last_name",
        "email",
        "is_active",
        "is_staff",
    ]
    search_fields = ["username", "staff_code", "first_name", "last_name", "email"]
    inlines = [MembershipInline]
    actions = ["reset_second_factor"]
    fieldsets = (
        (None, {"fields": ("username", "password", "staff_code")}),
        (
            _("Personal info"),
            {"fields": ("first_name", "last_name", "email", "language", "language_chosen")},
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "staff_code", "email", "password1", "password2"),
            },
        ),
    )

    @admin.action(description=_("Reset the second factor (she lost her devices)"))
    def reset_second_factor(self, request, queryset):
        """She lost her phone and her recovery codes: her devices go, her next sign-in enrols
        new ones. Each reset is a line in her change history, naming who did it."""
        if not capabilities_of(request.user).resets_second_factors:
            raise PermissionDenied
        for user in queryset:
            second_factor_reset(user=user, by=request.user)
        self.message_user(
            request,
            ngettext(
                "The second factor of %(count)d user was reset: she enrols again at her next "
                "sign-in.",
                "The second factor of %(count)d users was reset: they enrol again at their next "
                "sign-in.",
                len(queryset),
            )
            % {"count": len(queryset)},
            messages.SUCCESS,
        )


@admin.register(TestCenter)
class TestCenterAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ja", "name_en", "region", "time_zone", "active"]
    search_fields = ["code", "name_ja", "name_en", "region"]
    list_filter = ["region", "active"]


@admin.register(Membership)
@reauthenticated_admin
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "center"]
    list_filter = ["role", "center"]
    search_fields = ["user__username", "user__staff_code"]
    autocomplete_fields = ["user", "center"]
