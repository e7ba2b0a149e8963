"""The audit log page: read-only, filtered, paginated, one commune's entries; the database trigger."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from veille.web.common.accounts.roles import PERMISSIONS, Capability, Role
from veille.web.common.audit.log import record
from veille.web.common.audit.models import Action, AuditEvent

from .conftest import make_member


def url(commune):
    return reverse("audit:index", kwargs={"commune": commune.slug})


@pytest.mark.parametrize("role", [r for r in Role if Capability.VIEW_AUDIT not in PERMISSIONS[r]])
def test_roles_without_the_audit_capability_get_a_403(commune_a, member, client_as, role):
    assert client_as(member(role)).get(url(commune_a)).status_code == 403


def test_the_agent_gets_a_403(commune_a, member, client_as):
    assert client_as(member(Role.AGENT)).get(url(commune_a)).status_code == 403


def test_a_member_of_another_commune_gets_a_404(commune_a, commune_b, client_as):
    assert client_as(make_member(commune_b, Role.AUDITOR)).get(url(commune_a)).status_code == 404


@pytest.mark.parametrize("role", [Role.REFERENT, Role.AUDITOR])
def test_entries_of_another_commune_never_show(commune_a, commune_b, member, client_as, role):
    record(None, Action.VIEW, object_type="children.child", object_id="ICI-4711", commune=commune_a)
    record(None, Action.VIEW, object_type="children.child", object_id="AILLEURS-4712", commune=commune_b)
    page = client_as(member(role)).get(url(commune_a))
    assert page.status_code == 200
    assert "ICI-4711" in page.text and "AILLEURS-4712" not in page.text


def test_the_page_offers_no_form_that_changes_the_log(commune_a, member, client_as):
    client = client_as(member(Role.AUDITOR))
    record(None, Action.VIEW, object_type="children.child", object_id="1", commune=commune_a)
    page = client.get(url(commune_a))
    assert 'method="post"' not in page.text.split('<main id="contenu"')[1].lower()
    assert client.post(url(commune_a)).status_code == 405
    assert AuditEvent.objects.filter(commune=commune_a).count() == 1


def test_it_filters_by_user_action_type_and_dates(commune_a, member, client_as):
    auditor, agent = member(Role.AUDITOR), member(Role.AGENT)
    client = client_as(auditor)

    class Request:
        def __init__(self, user):
            self.user, self.META, self.commune = user, {}, commune_a

    record(Request(agent), Action.EXPORT, object_type="cases.case", object_id="EXP-1")
    record(Request(agent), Action.VIEW, object_type="children.child", object_id="VUE-2")
    record(Request(auditor), Action.VIEW, object_type="children.child", object_id="VUE-3")
    old = record(None, Action.PURGE, object_type="children.child", object_id="PURGE-4", commune=commune_a)
    # Entries are immutable and dated by the database: move this one 40 days back through SQL.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off
        cursor.execute(
            "UPDATE audit_auditevent SET at = %s WHERE id = %s", [old.at - timedelta(days=40), old.pk]
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")
    today = old.at.date()

    def shown(**params):
        text = client.get(url(commune_a), params).text
        return {key for key in ("EXP-1", "VUE-2", "VUE-3", "PURGE-4") if key in text}

    assert shown() == {"EXP-1", "VUE-2", "VUE-3", "PURGE-4"}
    assert shown(utilisateur=agent.pk) == {"EXP-1", "VUE-2"}
    assert shown(action="view") == {"VUE-2", "VUE-3"}
    assert shown(type="cases.case") == {"EXP-1"}
    assert shown(du=(today - timedelta(days=1)).isoformat()) == {"EXP-1", "VUE-2", "VUE-3"}
    assert shown(au=(today - timedelta(days=30)).isoformat()) == {"PURGE-4"}
    assert shown(utilisateur=agent.pk, action="view") == {"VUE-2"}


def test_it_pages_the_entries_fifty_at_a_time(commune_a, member, client_as):
    for n in range(55):
        record(None, Action.VIEW, object_type="children.child", object_id=f"N{n:03d}X", commune=commune_a)
    client = client_as(member(Role.REFERENT))
    first = client.get(url(commune_a), {"action": "view"})
    second = client.get(url(commune_a), {"action": "view", "page": 2})
    assert "N054X" in first.text and "N004X" not in first.text
    assert "N004X" in second.text and "N054X" not in second.text
    assert "page=2" in first.text and "Page 1 sur 2" in first.text


def test_the_database_refuses_a_raw_update_or_delete_of_the_audit_log(commune_a):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger of audit/0002 exists on PostgreSQL only")
    event = record(None, Action.VIEW, object_type="children.child", object_id="1", commune=commune_a)
    for sql in (
        "UPDATE audit_auditevent SET detail = 'falsifié' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="ne se modifie pas"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).detail == ""
