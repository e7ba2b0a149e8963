"""Fuzz through the web upload: every malformed file is refused with a French message naming it, no
traceback, and nothing stored; a file still readable becomes a pending import whose page escapes it.

``VEILLE_FUZZ_VARIANTS`` (300 by default) generated variants besides the hand-made hostile files; the
nightly-size run sets it to 10 000 (see tests/test_fuzz_files.py and docs/exploitation.md).
"""

from __future__ import annotations

import io
import os

import pytest
from django.urls import reverse

from veille.web.cellule.children.models import Child
from veille.web.cellule.imports.models import Import
from veille.web.common.accounts.roles import Role

from ..malformed import PASSWORD, mutations, named_cases

VARIANTS = int(os.environ.get("VEILLE_FUZZ_VARIANTS", "300"))


def post(client, commune, name: str, data: bytes):
    handle = io.BytesIO(data)
    handle.name = name
    payload = {"kind": "enfants", "school_year": "2026-2027", "files": [handle], "password": PASSWORD}
    return client.post(reverse("imports:upload", kwargs={"commune": commune.slug}), payload)


def check(client, commune, what: str, name: str, data: bytes) -> str:
    response = post(client, commune, name, data)
    page = response.content.decode()
    assert "Traceback" not in page and response.status_code in (302, 400), what
    if response.status_code == 400:
        assert name in page, what
        assert not Import.objects.exists(), what
        return "refusé"
    imported = Import.objects.get()
    detail = client.get(reverse("imports:detail", kwargs={"commune": commune.slug, "pk": imported.pk}))
    assert "<script>alert(1)</script>" not in detail.content.decode(), what
    imported.delete()
    assert not Child.objects.exists(), what  # pending: nothing is a child before confirmation
    return "lu"


@pytest.fixture
def agent_client(commune_a, member, client_as):
    return client_as(member(Role.AGENT))


def test_every_hostile_file_uploaded_is_refused_with_its_name_and_stores_nothing(agent_client, commune_a):
    for what, name, data in named_cases():
        assert check(agent_client, commune_a, what, name, data) == "refusé", what


def test_generated_variants_uploaded_are_refused_cleanly_or_kept_pending_and_escaped(agent_client, commune_a):
    outcomes = {"lu": 0, "refusé": 0}
    for what, name, data in mutations(VARIANTS, seed=11):
        outcomes[check(agent_client, commune_a, what, name, data)] += 1
    assert outcomes["lu"] and outcomes["refusé"]
