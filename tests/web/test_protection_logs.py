"""No personal data in the application logs nor on the error page."""

from __future__ import annotations

import logging
import sys

import pytest
from django.urls import path

from veille.web import urls as root_urls
from veille.web.cellule.protection.logfilters import NoPersonalData

NAME, FIRST_NAME = "Zorvanel", "Ysaline"


def failing_view(request):
    raise ValueError(f"valeur refusée : {request.POST.get('nom')} {request.GET.get('prenom')}")


# This module is also the URLconf of its tests: one failing view and the project's 500 handler.
urlpatterns = [path("echec/", failing_view)]
handler500 = root_urls.handler500


def test_the_project_uses_the_500_handler_that_shows_nothing_of_the_request():
    assert root_urls.handler500 == "veille.web.cellule.protection.views.server_error"


@pytest.mark.urls(__name__)
def test_a_failing_view_logs_the_path_and_exception_type_without_the_childs_name(client, caplog):
    client.raise_request_exception = False
    caplog.set_level(logging.DEBUG)

    response = client.post(f"/echec/?prenom={FIRST_NAME}", {"nom": NAME})

    assert response.status_code == 500
    assert "Une erreur est survenue" in response.text
    assert NAME not in response.text and FIRST_NAME not in response.text
    (error,) = [r for r in caplog.records if r.name == "django.request" and r.levelno == logging.ERROR]
    assert error.getMessage() == "Internal Server Error: /echec/ [ValueError]"
    assert error.exc_info is None and getattr(error, "request", None) is None
    assert NAME not in caplog.text and FIRST_NAME not in caplog.text


def test_the_filter_removes_what_a_formatter_would_print_of_an_exception():
    try:
        raise ValueError(f"refusé : {NAME}")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "veille.web.x", logging.ERROR, __file__, 1, "Échec de l'import %s", (12,), exc_info
    )
    record.request = object()
    assert NAME in logging.Formatter().format(record), "without the filter the name reaches the log"
    record = logging.LogRecord(
        "veille.web.x", logging.ERROR, __file__, 1, "Échec de l'import %s", (12,), exc_info
    )
    assert NoPersonalData().filter(record)
    assert logging.Formatter().format(record) == "Échec de l'import 12 [ValueError]"


def test_sql_parameters_never_reach_the_log():
    record = logging.LogRecord(
        "django.db.backends",
        logging.DEBUG,
        __file__,
        1,
        "(%.3f) %s; args=%s",
        (0.001, "SELECT", (NAME,)),
        None,
    )
    record.params, record.sql, record.duration = (NAME,), f"SELECT '{NAME}'", 0.001
    NoPersonalData().filter(record)
    assert NAME not in logging.Formatter().format(record)
    assert record.params is None and record.sql is None


def test_the_veille_logger_and_the_console_handlers_carry_the_filter(caplog):
    for name in ("veille", "django", "django.request", "django.db.backends"):
        assert any(isinstance(f, NoPersonalData) for f in logging.getLogger(name).filters), name
    for handler in logging.getLogger("django").handlers + logging.getLogger("veille").handlers:
        assert any(isinstance(f, NoPersonalData) for f in handler.filters), handler
    caplog.set_level(logging.INFO)
    try:
        raise KeyError(NAME)
    except KeyError:
        logging.getLogger("veille").exception("Lecture du fichier n° %s impossible", 7)
    assert "Lecture du fichier n° 7 impossible [KeyError]" in caplog.text
    assert NAME not in caplog.text
