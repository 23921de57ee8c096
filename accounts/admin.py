from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Membership, TestCenter, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["center"]


@admin.register(User)
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


@admin.register(TestCenter)
class TestCenterAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ja", "name_en", "region", "time_zone", "active"]
    search_fields = ["code", "name_ja", "name_en", "region"]
    list_filter = ["region", "active"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "center"]
    list_filter = ["role", "center"]
    search_fields = ["user__username", "user__staff_code"]
    autocomplete_fields = ["user", "center"]
