"""Keep personal data out of the application logs.

A log record can carry a child's name in three places: the request attached by ``django.request``
(its body, its query string, its headers), the traceback and the exception's message (a
``ValueError`` quoting the value it refused, an ``IntegrityError`` quoting the row), and the SQL
parameters of ``django.db.backends``. The filter keeps the message (for ``django.request``: the
path), replaces the exception by its type alone and drops the rest. Filters on a logger only see the
records created on that very logger, so the filter is set on the loggers that create records and on
the handlers of ``veille``, ``django`` and the root logger, which see every record that propagates.
"""

from __future__ import annotations

import logging

# Loggers that create records themselves (a filter on a parent logger does not see a child's records).
FILTERED_LOGGERS = (
    "veille",
    "django",
    "django.request",
    "django.server",
    "django.security",
    "django.security.csrf",
    "django.db.backends",
    "django.template",
    "django.tasks",
    "django_tasks",
)


class NoPersonalData(logging.Filter):
    """Strip the request, the traceback, the exception message and SQL parameters from a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_veille_cleaned", False):
            return True
        if hasattr(record, "request"):
            record.request = None
        if record.exc_info:
            exc_type = record.exc_info[0]
            if exc_type is not None:
                record.msg = f"{record.getMessage()} [{exc_type.__name__}]"
                record.args = ()
            record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        if record.name.startswith("django.db.backends"):
            # The SQL may quote values; keep only its duration.
            record.msg = "requête SQL ({} s)".format(getattr(record, "duration", "?"))
            record.args = ()
            record.params = None
            record.sql = None
        record._veille_cleaned = True
        return True


def _has_filter(filterer: logging.Filterer) -> bool:
    return any(isinstance(f, NoPersonalData) for f in filterer.filters)


def install() -> None:
    """Set the filter on the loggers and handlers that may carry personal data (idempotent)."""
    for name in FILTERED_LOGGERS:
        logger = logging.getLogger(name)
        if not _has_filter(logger):
            logger.addFilter(NoPersonalData())
    for logger in (logging.getLogger("veille"), logging.getLogger("django"), logging.getLogger()):
        for handler in logger.handlers:
            if not _has_filter(handler):
                handler.addFilter(NoPersonalData())
