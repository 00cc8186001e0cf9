"""Django admin for operators (is_staff users): partnerships and people. Partnership staff use the pages."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from participants.models import Membership, Partnership, User


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin[Partnership]):
    list_display = ("name", "slug", "area", "employs_young_people")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "area")


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0
    readonly_fields = ("status",)  # status changes go through the suspend/reactivate services


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("full_name",)
    list_display = ("email", "full_name", "is_active", "is_staff")
    search_fields = ("email", "full_name")
    inlines = (MembershipInline,)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("full_name", "preferred_name")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)
    filter_horizontal = ()
    list_filter = ("is_active", "is_staff")
