"""Seed a demo on an empty database so a newcomer's first page shows a living platform."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from accounts import services

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "geoplanet-demo-2026"  # noqa: S105 - printed to the terminal on purpose: a local demo account


class Command(BaseCommand):
    help = "Create the demo account and content when the database has no users yet (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        if user_model.objects.exists():
            self.stdout.write("Database has users already: demo seeding skipped.")
            if user_model.objects.filter(username=DEMO_USERNAME).exists():
                self._print_credentials()
            return
        user = services.user_register(username=DEMO_USERNAME, email="demo@geoplanet.invalid", password=DEMO_PASSWORD)
        profile = services.email_mark_verified(user=user)  # the .invalid address can never receive a link
        services.profile_update(
            profile=profile, display_name="Demo Mapper", affiliation="GeoPlanet", bio="The demo account."
        )
        for hook in _seed_hooks():
            hook(user, self.stdout)
        self._print_credentials()

    def _print_credentials(self) -> None:
        self.stdout.write(self.style.SUCCESS(f"Demo account: username {DEMO_USERNAME!r}, password {DEMO_PASSWORD!r}"))


def _seed_hooks() -> list[Any]:
    """Each app that has demo content exposes ``<app>.demo.seed(user, stdout)``; they run in app order."""
    from importlib import import_module

    from django.apps import apps

    hooks = []
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.demo")
        except ModuleNotFoundError:
            continue
        hooks.append(module.seed)
    return hooks
