"""factory_boy factories shared by the test tree."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from accounts.models import Profile

PASSWORD = "Correct-Horse-Battery-9"  # noqa: S105 - test fixture password


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def profile(obj, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        if create:
            obj.save()
            Profile.objects.get_or_create(user=obj)
