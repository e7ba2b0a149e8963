"""Letters: editable templates with versions, PDF production, rights, audit and purge."""

from __future__ import annotations

import html
import io
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader

from veille.web.cellule.cases.models import Case, Domain, Origin
from veille.web.cellule.children.models import Child
from veille.web.cellule.children.signals import case_purged
from veille.web.cellule.documents.law import SPECS
from veille.web.cellule.documents.models import GeneratedLetter, LetterKind, LetterTemplate
from veille.web.cellule.documents.services import generate_letter
from veille.web.common.accounts.roles import PERMISSIONS, Capability, Role
from veille.web.common.audit.models import Action, AuditEvent

from .conftest import make_member

LEGAL_REFERENCE = {
    LetterKind.INFORMATION: "L131-1",
    LetterKind.CONVOCATION: "L131-6",
    LetterKind.MAYOR_ENQUIRY: "L131-10",
    LetterKind.MAYOR_ENQUIRY_RESULT: "L131-10",
    LetterKind.PROSECUTOR_REFERRAL: "article 40 du code de procédure pénale",
    LetterKind.WARNING: "R131-7",
    LetterKind.FORMAL_NOTICE: "227-17-1",
    LetterKind.PARENTS_FORMAL_NOTICE: "L441-3-1",
    LetterKind.DIRECTOR_FORMAL_NOTICE: "L442-2",
    LetterKind.IEF_AUTHORISATION: "L131-5",
    LetterKind.IEF_REFUSAL: "D131-11-10",
    LetterKind.IEF_WITHDRAWAL: "L131-10",
    LetterKind.UNDECLARED_SCHOOL_CLOSURE: "L441-3-1",
    LetterKind.PRIVATE_SCHOOL_CLOSURE: "L442-2",
    LetterKind.OPENING_OPPOSITION: "L441-1",
}


#: the letters about a school or a place (its director, its keeper, its declarant), not about a child
PLACE_LETTERS = {
    LetterKind.UNDECLARED_SCHOOL_CLOSURE,
    LetterKind.PRIVATE_SCHOOL_CLOSURE,
    LetterKind.OPENING_OPPOSITION,
    LetterKind.DIRECTOR_FORMAL_NOTICE,
}


def author(kind: str) -> Role:
    """A role that acts for the author of this kind of letter."""
    return Role(sorted(SPECS[kind].roles)[0])


def pdf_text(content: bytes) -> str:
    assert content[:4] == b"%PDF"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


def make_case(commune, last_name="Fictivon", first_names="Aurèle", birth=date(2016, 4, 3)) -> Case:
    child = Child.objects.create(
        commune=commune,
        organisme="CAF",
        source_id=f"{last_name}-{birth}",
        last_name=last_name,
        first_names=first_names,
        birth_date=birth,
        sex="M",
        claimant_last_name=last_name,
        claimant_first_name="Dominique",
        address="7 impasse des Songes",
        postal_code="59999",
        city=commune.name,
    )
    return Case.objects.create(commune=commune, child=child, domain=Domain.ABSENCE, origin=Origin.CROSSING)


SPECS_BY_ROLE = {
    role: [
        k for k, s in SPECS.items() if role in s.roles and Capability.GENERATE_LETTERS in PERMISSIONS[role]
    ]
    for role in Role
}


def roles_with(capability: Capability) -> list[Role]:
    return [r for r in Role if capability in PERMISSIONS[r]]


def roles_without(capability: Capability) -> list[Role]:
    return [r for r in Role if capability not in PERMISSIONS[r]]


@pytest.mark.parametrize("kind", list(LetterKind))
def test_each_kind_of_letter_renders_to_a_pdf_with_commune_child_and_law(kind, commune_a, member):
    commune_a.signatory = "La maire, Odile Imaginaire"
    commune_a.save()
    case = make_case(commune_a)
    letter = generate_letter(
        case=case, kind=kind, user=member(author(kind)), reasons="Motifs d'essai.", due_date=date(2025, 10, 1)
    )
    text = pdf_text(bytes(letter.pdf))
    assert "Villeneuve-sur-Fictif" in text
    # The préfet's acts and the director's mise en demeure are about a school or a place, not a child.
    about_a_place = kind in PLACE_LETTERS
    assert ("Fictivon" in text) != about_a_place
    assert LEGAL_REFERENCE[kind] in text
    assert f"Dossier n° {case.pk}" in text


def test_a_formal_notice_gives_fifteen_days_from_its_notification_and_no_date_counted_from_today(
    commune_a, member
):
    case = make_case(commune_a)
    letter = generate_letter(
        case=case, kind=LetterKind.FORMAL_NOTICE, user=member(Role.EDUCATION), reasons="Aucune inscription."
    )
    text = pdf_text(bytes(letter.pdf))
    assert "dans un délai de quinze jours à compter de la notification de la présente décision" in text
    assert "3 avril 2016" in text
    assert "au plus tard le" not in text


def test_editing_a_template_adds_a_version_used_by_the_next_letter_while_old_letters_keep_theirs(
    commune_a, member, client_as
):
    referent = member(Role.REFERENT)
    case = make_case(commune_a)
    first = generate_letter(case=case, kind=LetterKind.INFORMATION, user=referent)
    assert first.template.version == 1
    response = client_as(referent).post(
        reverse("documents:template_edit", kwargs={"commune": "villeneuve", "kind": "information"}),
        {"subject": "Scolarité de {{ enfant.prenoms }}",
         "body": "<p>Texte revu pour {{ enfant.nom }}.</p>{{ information_rgpd }}", "action": "enregistrer"},
    )  # fmt: skip
    assert response.status_code == 302
    current = LetterTemplate.objects.current(commune_a, LetterKind.INFORMATION)
    assert current.version == 2
    assert LetterTemplate.objects.of(commune_a, LetterKind.INFORMATION).count() == 2
    second = generate_letter(case=case, kind=LetterKind.INFORMATION, user=referent)
    assert second.template == current
    assert "Texte revu pour Fictivon" in pdf_text(bytes(second.pdf))
    first.refresh_from_db()
    assert first.template.version == 1
    assert "Texte revu" not in pdf_text(bytes(first.pdf))
    assert AuditEvent.objects.filter(
        action=Action.CHANGE, object_type="documents.lettertemplate", object_id=str(current.pk)
    ).exists()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<p>{% if enfant.nom %}oubli de fermeture</p>", "erreur de syntaxe"),
        ("<p>{{ enfant.nom_de_famille }}</p>", "n'existe pas"),
        ('{% include "base.html" %}', "n'est pas permise"),
        ("{% load static %}", "n'est pas permise"),
        ("{% debug %}", "n'est pas permise"),
    ],
)
def test_an_invalid_template_is_refused_at_save_with_a_french_message(
    body, expected, commune_a, member, client_as
):
    response = client_as(member(Role.REFERENT)).post(
        reverse("documents:template_edit", kwargs={"commune": "villeneuve", "kind": "convocation"}),
        {"subject": "Objet", "body": body, "action": "enregistrer"},
    )
    assert response.status_code == 200
    assert expected in html.unescape(response.text)
    assert LetterTemplate.objects.of(commune_a, LetterKind.CONVOCATION).count() == 1  # the default only


def test_an_edited_template_cannot_reach_anything_outside_its_dict_context(commune_a, member):
    referent = member(Role.REFERENT)
    LetterTemplate.add_version(
        commune=commune_a,
        kind=LetterKind.INFORMATION,
        subject="Objet",
        body="<p>[{{ dossier.commune.memberships }}][{{ dossier.numero.commune }}]"
        "[{{ enfant.cases.all }}][{{ responsable.nom }}]</p>",
        user=referent,
    )
    text = pdf_text(
        bytes(generate_letter(case=make_case(commune_a), kind=LetterKind.INFORMATION, user=referent).pdf)
    )
    assert "[][][][Fictivon]" in text


def test_the_preview_shows_the_template_with_fictitious_data_without_saving(commune_a, member, client_as):
    response = client_as(member(Role.REFERENT)).post(
        reverse("documents:template_edit", kwargs={"commune": "villeneuve", "kind": "information"}),
        {
            "subject": "Objet",
            "body": "<p>Bonjour {{ enfant.prenoms }}</p>{{ information_rgpd }}",
            "action": "apercu",
        },
    )
    assert response.status_code == 200
    assert "Bonjour Léa Camille" in response.text
    assert LetterTemplate.objects.of(commune_a, LetterKind.INFORMATION).count() == 1


@pytest.mark.parametrize("role", roles_without(Capability.EDIT_TEMPLATES))
def test_only_the_roles_that_edit_templates_may_open_or_save_them(role, commune_a, member, client_as):
    client = client_as(member(role))
    url = reverse("documents:template_edit", kwargs={"commune": "villeneuve", "kind": "information"})
    assert client.get(url).status_code == 403
    assert client.post(url, {"subject": "x", "body": "y", "action": "enregistrer"}).status_code == 403
    listing = client.get(reverse("documents:templates", kwargs={"commune": "villeneuve"}))
    # The DSDEN's and the préfecture's members list the templates of their own acts only.
    state_kinds = [
        k
        for k in SPECS_BY_ROLE[role]
        if any(s.authority != "commune" and role in s.roles for s in SPECS[k].signatories())
    ]
    assert listing.status_code == (200 if state_kinds else 403)
    if listing.status_code == 200:
        assert "Courrier d'information à la famille" not in html.unescape(listing.text)
    assert client.get(reverse("documents:letterhead", kwargs={"commune": "villeneuve"})).status_code == 403
    assert not LetterTemplate.objects.exclude(created_by=None).exists()


def test_the_referent_lists_the_templates(commune_a, member, client_as):
    response = client_as(member(Role.REFERENT)).get(
        reverse("documents:templates", kwargs={"commune": "villeneuve"})
    )
    assert response.status_code == 200
    assert "Courrier d'information à la famille" in html.unescape(response.text)
    assert "Mise en demeure" not in html.unescape(response.text)  # the DASEN's act, not the mairie's


def test_the_referent_sets_the_letterhead_and_it_appears_on_letters(
    commune_a, member, client_as, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    referent = member(Role.REFERENT)
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
        b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_as(referent).post(
        reverse("documents:letterhead", kwargs={"commune": "villeneuve"}),
        {"address": "1 place de l'Hôtel de Ville\n59999 Villeneuve-sur-Fictif", "signatory": "Le maire",
         "logo": SimpleUploadedFile("logo.png", png, content_type="image/png")},
    )  # fmt: skip
    assert response.status_code == 302
    commune_a.refresh_from_db()
    assert commune_a.logo
    letter = generate_letter(case=make_case(commune_a), kind=LetterKind.CONVOCATION, user=referent)
    text = pdf_text(bytes(letter.pdf))
    assert "1 place de l'Hôtel de Ville" in text
    assert "Le maire" in text
    assert AuditEvent.objects.filter(action=Action.CHANGE, object_type="territories.commune").exists()


def test_a_logo_that_is_not_an_image_is_refused(commune_a, member, client_as, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_as(member(Role.REFERENT)).post(
        reverse("documents:letterhead", kwargs={"commune": "villeneuve"}),
        {
            "address": "",
            "signatory": "",
            "logo": SimpleUploadedFile("logo.png", b"<svg/>", content_type="image/png"),
        },
    )
    assert response.status_code == 200
    assert "PNG ou JPEG" in html.unescape(response.text)


@pytest.mark.parametrize("role", roles_with(Capability.GENERATE_LETTERS))
def test_a_role_that_generates_letters_produces_one_and_it_is_audited(role, commune_a, member, client_as):
    case = make_case(commune_a)
    user = member(role)
    case.transmit(user=None, to_role=role) if Capability.VIEW_CASES not in PERMISSIONS[role] else None
    kind = SPECS_BY_ROLE[role][-1]
    response = client_as(user).post(
        reverse("documents:generate", kwargs={"commune": "villeneuve", "case": case.pk}),
        {"kind": kind, "reasons": "Motifs propres au dossier.", "due_date": "", "appointment": ""},
    )
    assert response.status_code == 302
    letter = GeneratedLetter.objects.get(case=case)
    assert letter.kind == kind
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="documents.generatedletter")
    assert event.object_id == str(letter.pk)
    assert "Fictivon" not in event.detail


def test_the_letter_form_answers_htmx_with_the_refreshed_list(commune_a, member, client_as):
    case = make_case(commune_a)
    response = client_as(member(Role.AGENT)).post(
        reverse("documents:generate", kwargs={"commune": "villeneuve", "case": case.pk}),
        {"kind": "convocation", "appointment": "mardi 23 septembre à 14 h, salle du conseil"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert f'id="courriers-dossier-{case.pk}"' in response.text
    assert "Convocation de la famille" in response.text
    letter = GeneratedLetter.objects.get(case=case)
    assert "salle du conseil" in pdf_text(bytes(letter.pdf))


@pytest.mark.parametrize("role", roles_without(Capability.GENERATE_LETTERS))
def test_a_role_without_the_capability_cannot_produce_a_letter(role, commune_a, member, client_as):
    case = make_case(commune_a)
    response = client_as(member(role)).post(
        reverse("documents:generate", kwargs={"commune": "villeneuve", "case": case.pk}),
        {"kind": "information"},
    )
    assert response.status_code == 403
    assert not GeneratedLetter.objects.exists()


def test_a_member_of_another_commune_gets_404_on_the_letters_of_commune_a(
    commune_a, commune_b, member, client_as
):
    case = make_case(commune_a)
    letter = generate_letter(case=case, kind=LetterKind.INFORMATION, user=member(Role.AGENT))
    stranger = client_as(make_member(commune_b, Role.REFERENT))
    for url in (
        reverse("documents:download", kwargs={"commune": "villeneuve", "pk": letter.pk}),
        reverse("documents:download", kwargs={"commune": "bourg", "pk": letter.pk}),
        reverse("documents:case_letters", kwargs={"commune": "bourg", "case": case.pk}),
    ):
        assert stranger.get(url).status_code == 404
    response = stranger.post(
        reverse("documents:generate", kwargs={"commune": "bourg", "case": case.pk}), {"kind": "information"}
    )
    assert response.status_code == 404
    assert GeneratedLetter.objects.count() == 1


def test_downloading_a_letter_gives_the_pdf_and_writes_an_export_entry(commune_a, member, client_as):
    case = make_case(commune_a)
    letter = generate_letter(case=case, kind=LetterKind.INFORMATION, user=member(Role.AGENT))
    response = client_as(member(Role.READER)).get(
        reverse("documents:download", kwargs={"commune": "villeneuve", "pk": letter.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content[:4] == b"%PDF"
    assert "Fictivon" not in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action=Action.EXPORT, object_id=str(letter.pk)).count() == 1


def test_the_caf_officer_cannot_download_a_letter(commune_a, member, client_as):
    letter = generate_letter(case=make_case(commune_a), kind=LetterKind.INFORMATION, user=member(Role.AGENT))
    response = client_as(member(Role.CAF)).get(
        reverse("documents:download", kwargs={"commune": "villeneuve", "pk": letter.pk})
    )
    assert response.status_code == 403  # its role sees no case: refused by role, as the cases pages answer
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_the_case_letters_partial_lists_the_letters_and_offers_the_form(commune_a, member, client_as):
    case = make_case(commune_a)
    inspector = member(Role.EDUCATION)
    generate_letter(case=case, kind=LetterKind.FORMAL_NOTICE, user=inspector, reasons="Motifs.")
    page = client_as(inspector).get(
        reverse("documents:case_letters", kwargs={"commune": "villeneuve", "case": case.pk})
    )
    assert page.status_code == 200
    assert "Mise en demeure d'inscrire l'enfant" in html.unescape(page.text)
    assert "Produire un courrier" in page.text


def test_the_purge_signal_deletes_the_letters_of_the_case(commune_a, member):
    case, other = make_case(commune_a), make_case(commune_a, last_name="Songeur")
    generate_letter(case=case, kind=LetterKind.INFORMATION, user=member(Role.AGENT))
    kept = generate_letter(case=other, kind=LetterKind.INFORMATION, user=member(Role.REFERENT))
    case_purged.send(sender=Case, case=case)
    assert list(GeneratedLetter.objects.all()) == [kept]


def test_no_letter_is_produced_once_the_childs_data_are_purged(commune_a, member, client_as):
    case = make_case(commune_a)
    case.child.delete()
    response = client_as(member(Role.AGENT)).post(
        reverse("documents:generate", kwargs={"commune": "villeneuve", "case": case.pk}),
        {"kind": "information"},
    )
    assert response.status_code == 302
    assert not GeneratedLetter.objects.exists()


def test_an_edited_template_cannot_read_a_file_of_the_server(commune_a, member, tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text('.fuite::before { content: "CONTENU-DU-SERVEUR"; }', encoding="utf-8")
    referent = member(Role.REFERENT)
    LetterTemplate.add_version(
        commune=commune_a,
        kind=LetterKind.INFORMATION,
        subject="Objet",
        body=f'<style>@import url("{secret.as_uri()}");</style><p class="fuite">témoin</p>',
        user=referent,
    )
    text = pdf_text(
        bytes(generate_letter(case=make_case(commune_a), kind=LetterKind.INFORMATION, user=referent).pdf)
    )
    assert "témoin" in text
    assert "CONTENU-DU-SERVEUR" not in text


def test_the_referent_opens_the_editor_with_the_placeholders_and_an_older_version(
    commune_a, member, client_as
):
    referent = member(Role.REFERENT)
    LetterTemplate.objects.current(commune_a, LetterKind.CONVOCATION)
    LetterTemplate.add_version(
        commune=commune_a, kind="convocation", subject="Nouveau", body="<p>v2</p>", user=referent
    )
    client = client_as(referent)
    edit = reverse("documents:template_edit", kwargs={"commune": "villeneuve", "kind": "convocation"})
    page = client.get(edit)
    assert page.status_code == 200
    assert "{{ enfant.date_naissance }}" in page.text
    assert "Nouveau" in page.text
    older = client.get(edit + "?version=1")
    assert "L131-6" in older.text
    assert client.get(reverse("documents:letterhead", kwargs={"commune": "villeneuve"})).status_code == 200
    unknown = reverse("documents:template_edit", kwargs={"commune": "villeneuve", "kind": "inconnu"})
    assert client.get(unknown).status_code == 404
