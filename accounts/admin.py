from django.contrib import admin

from accounts.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "affiliation", "email_verified_for", "email_verified_at"]
    search_fields = ["user__username", "display_name", "affiliation"]
