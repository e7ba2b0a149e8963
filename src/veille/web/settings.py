"""Settings read from the environment; SQLite in ``./var/`` by default, PostgreSQL via DATABASE_URL.

Environment variables (all optional in development):

- ``VEILLE_SECRET_KEY``: required when ``VEILLE_DEBUG`` is off.
- ``VEILLE_DEBUG``: ``1`` for development pages (never in production: error pages show data).
- ``DATABASE_URL``: e.g. ``postgres://veille@127.0.0.1:5432/veille``; default SQLite.
- ``VEILLE_DATA_DIR``: where the SQLite database and uploaded files live (default ``./var``).
- ``VEILLE_ALLOWED_HOSTS``: comma-separated host names.
- ``VEILLE_SESSION_MINUTES``: idle time before a session expires (default 30).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "oui", "yes"}


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("VEILLE_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = _flag("VEILLE_DEBUG")
SECRET_KEY = os.environ.get("VEILLE_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError(
            "VEILLE_SECRET_KEY n'est pas définie : indispensable hors mode développement (VEILLE_DEBUG=1)."
        )
    SECRET_KEY = "développement-seulement-jamais-en-production"
ALLOWED_HOSTS = [h for h in os.environ.get("VEILLE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "veille.web.common.territories",
    "veille.web.common.accounts",
    "veille.web.common.audit",
    "veille.web.cellule.children",
    "veille.web.cellule.imports",
    "veille.web.cellule.cases",
    "veille.web.cellule.documents",
    "veille.web.cellule.meetings",
    "veille.web.cellule.protection",
    "veille.web.demo",
    "veille.web.cellule.indicators",
    "veille.web.cite.cites",
    "veille.web.cite.framework",
    "veille.web.cite.actions",
    "veille.web.cite.funds",
    "veille.web.cite.diagnostic",
    "veille.web.cite.governance",
    "veille.web.cite.review",
    "veille.web.cite.network",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files (stylesheet, htmx) served by the application itself under gunicorn.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "veille.web.common.accounts.middleware.CharterAndSecondFactorMiddleware",
]

ROOT_URLCONF = "veille.web.urls"
WSGI_APPLICATION = "veille.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "veille.web.common.accounts.context.membership",
            ],
        },
    },
]

_sqlite = DATA_DIR / "veille.sqlite3"
DATABASES = {
    "default": dj_database_url.config(default=f"sqlite:///{_sqlite}", conn_max_age=60),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes a crossing; the busy timeout waits for the
    # other writer instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins before a pause, and the pause (accounts.models.LoginAttempt).
LOGIN_MAX_FAILURES = 5
LOGIN_LOCK_MINUTES = 15

SESSION_COOKIE_AGE = 60 * int(os.environ.get("VEILLE_SESSION_MINUTES", "30"))
SESSION_SAVE_EVERY_REQUEST = True  # the expiry counts from the last request: an idle session ends
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _flag("VEILLE_HTTPS")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "fr"
# The interface exists in French only: a browser asking for English must not get English dates.
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "fichiers"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("VEILLE_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Application logs never carry personal data: only identifiers of rows, never names or dates.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_personal_data": {"()": "veille.web.cellule.protection.logfilters.NoPersonalData"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["no_personal_data"]}},
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING"},
        "veille": {"handlers": ["console"], "level": "INFO"},
    },
}
