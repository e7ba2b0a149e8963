"""Settings read from the environment; SQLite in ``./var/`` by default, PostgreSQL via DATABASE_URL.

Environment variables (all optional in development):

- ``VEILLE_SECRET_KEY``: required when ``VEILLE_DEBUG`` is off.
- ``VEILLE_DEBUG``: ``1`` for development pages (never in production: error pages show data).
- ``DATABASE_URL``: e.g. ``postgres://veille@127.0.0.1:5432/veille``; default SQLite.
- ``VEILLE_DATA_DIR``: where the SQLite database and uploaded files live (default ``./var``).
- ``VEILLE_ALLOWED_HOSTS``: comma-separated host names.
- ``VEILLE_SESSION_MINUTES``: idle time before a session expires (default 30).
- ``VEILLE_HTTPS``: ``1`` (default outside development): Secure cookies and HSTS; ``0`` for plain HTTP.
- ``VEILLE_BEHIND_PROXY``: ``1`` behind a reverse proxy that sets X-Forwarded-For and X-Forwarded-Proto.
- ``VEILLE_EXPLOITANT_NOM``, ``VEILLE_EXPLOITANT_ADRESSE``, ``VEILLE_EXPLOITANT_CONTACT``,
  ``VEILLE_DIRECTEUR_PUBLICATION``, ``VEILLE_DPO_CONTACT``, ``VEILLE_HEBERGEUR``: who runs this instance,
  for the legal pages (mentions légales, données personnelles, accessibilité); unset, the pages say
  « à renseigner par l'exploitant » rather than invent an entity.
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
    "veille.web.common.ui",
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
    "veille.web.common.accounts.sessions.IdleSessionRefresh",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "veille.web.common.accounts.middleware.CharterAndSecondFactorMiddleware",
    "veille.web.common.audit.middleware.RefusalAudit",
    "veille.web.common.headers.SecurityHeaders",
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
                "veille.web.common.accounts.context.navigation",
            ],
            # One French formatting layer in every template, without a {% load %} to forget.
            "builtins": ["veille.web.common.ui.templatetags.fr"],
        },
    },
]

_sqlite = DATA_DIR / "veille.sqlite3"
# Connections are kept between requests, SQLite's too: opening one costs its PRAGMAs and the registration
# of Django's and Veille's SQL functions, a good part of a light page. Nothing stays open between two
# requests (autocommit), so a kept SQLite connection blocks neither the worker's writes nor checkpoints.
# The health check finds a PostgreSQL connection lost (server restarted) before a page fails on it.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{_sqlite}", conn_max_age=60, conn_health_checks=True
    ),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes a crossing; the busy timeout waits for the
    # other writer instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
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
# Throttling of attempts (accounts.models.reserve), counted per window of LOGIN_LOCK_MINUTES: failed
# logins of one account from one address before that pair is paused; failures from one address
# (whatever the accounts) before it is paused; failures of one account from anywhere before its
# attempts are slowed to one per LOGIN_ACCOUNT_BACKOFF_SECONDS (slowed, never locked: a stranger must
# not lock a person out); wrong second-factor codes before the code page pauses.
LOGIN_MAX_FAILURES = 5
LOGIN_LOCK_MINUTES = 15
LOGIN_ADDRESS_MAX_FAILURES = 10
LOGIN_ACCOUNT_MAX_FAILURES = 10
LOGIN_ACCOUNT_BACKOFF_SECONDS = 30
TOTP_MAX_FAILURES = 5
# Behind a reverse proxy, the client's address is the last one the proxy adds to X-Forwarded-For
# (otherwise every attempt would come from the proxy and the per-address pause would pause everyone).
BEHIND_PROXY = _flag("VEILLE_BEHIND_PROXY")
if BEHIND_PROXY:
    # The proxy ends TLS and says so; Django then knows the request was HTTPS (HSTS, Secure cookies).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SESSION_COOKIE_AGE = 60 * int(os.environ.get("VEILLE_SESSION_MINUTES", "30"))
# The expiry counts from the last request, refreshed at most once a minute (accounts/sessions.py).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# HTTPS is the default outside development: cookies are Secure and HSTS is sent (one year, this host
# only: other services of the domain are not ours to bind). VEILLE_HTTPS=0 only for a plain-HTTP test
# on one's own machine.
HTTPS = _flag("VEILLE_HTTPS", "0" if DEBUG else "1")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if HTTPS else 0
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

# Who runs this instance: the legal pages print these, never an invented entity.
OPERATOR = {
    "name": os.environ.get("VEILLE_EXPLOITANT_NOM", ""),
    "address": os.environ.get("VEILLE_EXPLOITANT_ADRESSE", ""),
    "contact": os.environ.get("VEILLE_EXPLOITANT_CONTACT", ""),
    "publication_director": os.environ.get("VEILLE_DIRECTEUR_PUBLICATION", ""),
    "dpo_contact": os.environ.get("VEILLE_DPO_CONTACT", ""),
    "host": os.environ.get("VEILLE_HEBERGEUR", ""),
}
