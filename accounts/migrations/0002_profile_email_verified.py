"""Email verification: a profile records the address its user confirmed.

Accounts made before verification existed are marked verified for the email they have now (and get a profile
if they had none): they were trusted with that address until today, and unverifying them would silently hide
the invitations already sent to them. Only accounts registered from now on start unverified.
"""

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def verify_existing_accounts(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    Profile = apps.get_model("accounts", "Profile")
    now = timezone.now()
    for user in User.objects.exclude(email="").iterator():
        profile, _ = Profile.objects.get_or_create(user=user)
        profile.email_verified_for = user.email
        profile.email_verified_at = now
        profile.save(update_fields=["email_verified_for", "email_verified_at"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="email_verified_for",
            field=models.EmailField(blank=True, max_length=254),
        ),
        migrations.AddField(
            model_name="profile",
            name="email_verified_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(verify_existing_accounts, migrations.RunPython.noop),
    ]
