"""Settings of the test suite: the production settings with a test key and tasks run at once."""

import os

os.environ.setdefault("VEILLE_SECRET_KEY", "clé-des-tests-seulement")

from .settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Argon2 as in production, with a small cost: the tests create hundreds of accounts.
PASSWORD_HASHERS = ["veille.web.test_settings.QuickArgon2PasswordHasher"]

from django.contrib.auth.hashers import Argon2PasswordHasher  # noqa: E402


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 1024
    parallelism = 1
