"""Settings of the test suite: the production settings with a test key and tasks run at once."""

import os

os.environ.setdefault("VEILLE_SECRET_KEY", "clé-des-tests-seulement")

from .settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
