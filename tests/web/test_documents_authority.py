"""Letters by their authority, with their legal mentions (issue 9; shared/domain/LEGAL-REVIEW.md).

Each test is a sentence of the texts: CP 227-17-1 (the mise en demeure is the State's), CJA R421-1 and
R421-5 (voies et délais de recours), D131-11-10 (RAPO of an IEF refusal), GDPR art. 14, R131-10-5.
"""

from __future__ import annotations

import html
import inspect
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from veille import law
from veille.web.cellule.cases.models import Case, CaseEvent, Domain, Origin
from veille.web.cellule.documents import law as letters_law
from veille.web.cellule.documents.law import SPECS, Authority
from veille.web.cellule.documents.models import (
    CommuneLetterSettings,
    GeneratedLetter,
    LetterKind,
    LetterTemplate,
    StateLetterhead,
)
from veille.web.cellule.documents.rendering import validate_template
from veille.web.cellule.documents.services import generate_letter
from veille.web.common.accounts.roles import Role
from veille.web.common.audit.models import Action, AuditEvent

from .test_documents_letters import make_case, pdf_text

REASONS = (
    "Aucune inscription n'est connue pour l'enfant à la rentrée 2026 malgré la convocation du 2 octobre."
)


@pytest.fixture
def dsden(commune_a):
    commune_a.department = "59"
    commune_a.save()
    return StateLetterhead.objects.create(
        authority=Authority.DSDEN,
        department="59",
        name="Direction des services départementaux de l'Éducation nationale du Fictif",
        address="1 rue de l'Académie\n59000 Fictiville",
        place="Fictiville",
        signatory="L'inspectrice d'académie, Mme Exemple",
    )


def generate_url(case):
    return reverse("documents:generate", kwargs={"commune": "villeneuve", "case": case.pk})


def test_a_mairie_agent_cannot_produce_a_mise_en_demeure(commune_a, member, client_as):
    case = make_case(commune_a)
    for role in (Role.AGENT, Role.REFERENT):
        user = member(role)
        response = client_as(user).post(
            generate_url(case), {"kind": "mise_en_demeure", "reasons": REASONS, "due_date": ""}
        )
        assert response.status_code == 403
        with pytest.raises(PermissionDenied):
            generate_letter(case=case, kind=LetterKind.FORMAL_NOTICE, user=user, reasons=REASONS)
    assert not GeneratedLetter.objects.exists()


def test_the_mairie_is_not_offered_the_dasen_acts_in_the_letter_form(commune_a, member, client_as):
    case = make_case(commune_a)
    page = client_as(member(Role.AGENT)).get(
        reverse("documents:case_letters", kwargs={"commune": "villeneuve", "case": case.pk})
    )
    assert 'value="information"' in page.text
    assert 'value="mise_en_demeure"' not in page.text
    assert 'value="ief_refus"' not in page.text


def test_the_mise_en_demeure_carries_the_dsden_letterhead_its_reasons_and_the_voies_et_delais_de_recours(
    commune_a, member, client_as, dsden
):
    commune_a.signatory = "La maire, Odile Imaginaire"
    commune_a.save()
    case = make_case(commune_a)
    response = client_as(member(Role.EDUCATION)).post(
        generate_url(case), {"kind": "mise_en_demeure", "reasons": REASONS, "due_date": ""}
    )
    assert response.status_code == 302
    text = pdf_text(bytes(GeneratedLetter.objects.get(case=case).pdf))
    assert "Direction des services départementaux de l'Éducation nationale du Fictif" in text
    assert "Fictiville, le" in text
    assert "L'inspectrice d'académie, Mme Exemple" in text
    assert "Mairie de" not in text and "Odile Imaginaire" not in text
    assert "Motifs de la décision" in text and "malgré la convocation du 2 octobre" in text
    assert "Voies et délais de recours" in text
    assert "tribunal administratif" in text and "deux mois" in text and "R421-1" in text
    assert "dans un délai de quinze jours à compter de la notification" in text


def test_a_decision_without_its_reasons_is_not_produced(commune_a, member, client_as):
    case = make_case(commune_a)
    inspector = member(Role.EDUCATION)
    response = client_as(inspector).post(
        generate_url(case), {"kind": "ief_refus", "reasons": "  "}, HTTP_HX_REQUEST="true"
    )
    assert "écrivez ses motifs" in html.unescape(response.text)
    assert not GeneratedLetter.objects.exists()
    with pytest.raises(ValidationError):
        generate_letter(case=case, kind=LetterKind.IEF_REFUSAL, user=inspector, reasons="")


def test_an_ief_refusal_letter_names_the_compulsory_rapo_within_15_days(commune_a, member, dsden):
    case = make_case(commune_a)
    letter = generate_letter(
        case=case, kind=LetterKind.IEF_REFUSAL, user=member(Role.EDUCATION), reasons="Projet éducatif absent."
    )
    text = pdf_text(bytes(letter.pdf))
    assert "recours administratif préalable obligatoire" in text
    assert "commission présidée par le recteur d'académie" in text
    assert "dans un délai de quinze jours à compter de la notification" in text
    assert "D131-11-10" in text
    assert "Projet éducatif absent." in text
    # The court comes only after the RAPO, and its two months run from the answer to it.
    assert "à compter de la notification de la décision prise sur ce recours" in text


def test_an_ief_authorisation_is_not_an_appealable_decision_and_carries_no_appeal_block(
    commune_a, member, dsden
):
    letter = generate_letter(
        case=make_case(commune_a), kind=LetterKind.IEF_AUTHORISATION, user=member(Role.EDUCATION)
    )
    text = pdf_text(bytes(letter.pdf))
    assert "trois années scolaires" in text
    assert "Voies et délais de recours" not in text


def test_the_prefets_acts_are_produced_only_by_the_prefecture_on_its_letterhead(commune_a, member):
    case = make_case(commune_a)
    for role in (Role.REFERENT, Role.EDUCATION):
        with pytest.raises(PermissionDenied):
            generate_letter(
                case=case, kind=LetterKind.UNDECLARED_SCHOOL_CLOSURE, user=member(role), reasons="x"
            )
    letter = generate_letter(
        case=case,
        kind=LetterKind.UNDECLARED_SCHOOL_CLOSURE,
        user=member(Role.PREFECTURE),
        reasons="Local du 3 rue des Essais : douze enfants accueillis sans déclaration.",
    )
    text = pdf_text(bytes(letter.pdf))
    assert text.startswith("Préfecture")
    assert "Le préfet" in text
    assert "L441-3-1" in text and "Voies et délais de recours" in text
    assert "douze enfants accueillis" in text


def _record_formal_notice(case, notified_on: date) -> None:
    CaseEvent.objects.create(
        case=case, kind="send_formal_notice", from_state="alerte", to_state="mise_en_demeure",
        effective_date=notified_on,
    )  # fmt: skip


def test_the_referral_letter_does_not_mention_a_mise_en_demeure_when_none_was_recorded(commune_a, member):
    case = make_case(commune_a)
    CaseEvent.objects.create(
        case=case, kind="convene_family", from_state="verification", to_state="famille_convoquee",
        effective_date=date(2026, 9, 14),
    )  # fmt: skip
    text = pdf_text(
        bytes(generate_letter(case=case, kind=LetterKind.PROSECUTOR_REFERRAL, user=member(Role.REFERENT)).pdf)
    )
    assert "mise en demeure" not in text.lower()
    assert "14 septembre 2026 : Famille convoquée à un entretien" in text
    assert "227-17-1" not in text


def test_the_referral_letter_states_the_notified_mise_en_demeure_when_one_was_recorded(commune_a, member):
    case = make_case(commune_a)
    _record_formal_notice(case, date(2026, 10, 5))
    text = pdf_text(
        bytes(generate_letter(case=case, kind=LetterKind.PROSECUTOR_REFERRAL, user=member(Role.REFERENT)).pdf)
    )
    assert "notifiée aux personnes responsables le 5 octobre 2026" in text
    assert "227-17-1" in text


TEMPLATE_WITHOUT_APPEAL = "<p>Vous êtes mis en demeure.</p>{{ motifs }}"


@pytest.mark.parametrize(
    "body",
    [
        TEMPLATE_WITHOUT_APPEAL,
        TEMPLATE_WITHOUT_APPEAL + "{% if echeance == 'jamais' %}{{ voies_et_delais_de_recours }}{% endif %}",
        TEMPLATE_WITHOUT_APPEAL + "{% comment %}{{ voies_et_delais_de_recours }}{% endcomment %}",
        TEMPLATE_WITHOUT_APPEAL + "<!-- {{ voies_et_delais_de_recours }} -->",
        TEMPLATE_WITHOUT_APPEAL + '<div style="display:none">{{ voies_et_delais_de_recours }}</div>',
        TEMPLATE_WITHOUT_APPEAL + "<style>.recours{display:none}</style>{{ voies_et_delais_de_recours }}",
        TEMPLATE_WITHOUT_APPEAL + "{{ voies_et_delais_de_recours|truncatechars:3 }}",
    ],
    ids=["absent", "if", "comment", "html-comment", "hidden", "style-sheet", "filter"],
)
def test_a_template_without_the_voies_et_delais_de_recours_is_refused(body, commune_a, member, client_as):
    response = client_as(member(Role.EDUCATION)).post(
        reverse("documents:template_edit", kwargs={"commune": "villeneuve", "kind": "mise_en_demeure"}),
        {"subject": "Mise en demeure", "body": body, "action": "enregistrer"},
    )
    assert response.status_code == 200
    text = html.unescape(response.text)
    assert "Le modèle doit garder la mention obligatoire « voies et délais de recours »" in text
    assert "R421-5" in text
    assert LetterTemplate.objects.of(commune_a, LetterKind.FORMAL_NOTICE).count() == 1  # the default only


def test_a_decision_template_without_its_reasons_is_refused():
    with pytest.raises(ValidationError, match="motifs de la décision"):
        validate_template("<p>Refus.</p>{{ voies_et_delais_de_recours }}", "ief_refus")


def test_a_mairie_letter_to_the_family_without_the_article_14_information_is_refused():
    with pytest.raises(ValidationError, match="article 14 du RGPD"):
        validate_template("<p>Bonjour {{ responsable.nom }}</p>", "information")
    validate_template("<p>Bonjour</p>\n{{ information_rgpd }}", "information")


def test_a_template_that_keeps_its_mentions_is_saved_as_a_new_version(commune_a, member, client_as):
    inspector = member(Role.EDUCATION)
    response = client_as(inspector).post(
        reverse("documents:template_edit", kwargs={"commune": "villeneuve", "kind": "mise_en_demeure"}),
        {"subject": "Mise en demeure", "action": "enregistrer",
         "body": "<p>Texte revu.</p>\n{{ motifs }}\n<p>Quinze jours.</p>\n{{ voies_et_delais_de_recours }}"},
    )  # fmt: skip
    assert response.status_code == 302
    assert LetterTemplate.objects.current(commune_a, LetterKind.FORMAL_NOTICE).created_by == inspector


def test_the_mairie_cannot_edit_the_dasens_templates_nor_the_dsden_cannot_edit_the_mairies(
    commune_a, member, client_as
):
    edit = "documents:template_edit"
    referent = client_as(member(Role.REFERENT))
    assert (
        referent.get(reverse(edit, kwargs={"commune": "villeneuve", "kind": "mise_en_demeure"})).status_code
        == 403
    )
    inspector = client_as(member(Role.EDUCATION))
    assert (
        inspector.get(reverse(edit, kwargs={"commune": "villeneuve", "kind": "information"})).status_code
        == 403
    )
    assert (
        inspector.get(reverse(edit, kwargs={"commune": "villeneuve", "kind": "ief_refus"})).status_code == 200
    )


def test_the_first_letter_on_caf_data_gives_the_gdpr_article_14_information_and_the_next_refers_to_it(
    commune_a, member
):
    CommuneLetterSettings.objects.create(commune=commune_a, dpo_contact="dpo@villeneuve.example")
    case = make_case(commune_a)
    agent = member(Role.AGENT)
    first = pdf_text(bytes(generate_letter(case=case, kind=LetterKind.INFORMATION, user=agent).pdf))
    expected = ["Vos données personnelles", "caisse d'allocations familiales", "Finalité", "Base légale"]
    expected += ["Durée de conservation", "16 ans", "rectifier", "CNIL", "dpo@villeneuve.example"]
    for words in expected:
        assert words in first
    second = pdf_text(bytes(generate_letter(case=case, kind=LetterKind.CONVOCATION, user=agent).pdf))
    assert "figurent dans notre courrier du" in second
    assert "dpo@villeneuve.example" in second
    assert "Durée de conservation" not in second


def test_a_dsden_member_sets_the_dsden_letterhead_of_the_departement_and_the_mairie_cannot(
    commune_a, member, client_as
):
    commune_a.department = "59"
    commune_a.save()
    url = reverse("documents:state_letterhead", kwargs={"commune": "villeneuve", "authority": "dsden"})
    assert client_as(member(Role.REFERENT)).get(url).status_code == 403
    assert client_as(member(Role.PREFECTURE)).get(url).status_code == 403
    inspector = member(Role.EDUCATION)
    response = client_as(inspector).post(
        url, {"name": "DSDEN du Fictif", "address": "", "place": "Fictiville", "signatory": "Le DASEN"}
    )
    assert response.status_code == 302
    head = StateLetterhead.objects.get(authority="dsden", department="59")
    assert head.name == "DSDEN du Fictif"
    assert AuditEvent.objects.filter(action=Action.CHANGE, object_type="documents.stateletterhead").exists()
    letter = generate_letter(case=make_case(commune_a), kind=LetterKind.WARNING, user=inspector)
    assert pdf_text(bytes(letter.pdf)).startswith("DSDEN du Fictif")
    unknown = reverse("documents:state_letterhead", kwargs={"commune": "villeneuve", "authority": "commune"})
    assert client_as(inspector).get(unknown).status_code == 404


# --- who reads a letter: the one who may see the child's identity on the case (R131-10-5) -----------


def test_the_departement_cannot_download_a_letter_that_names_the_child(commune_a, member, client_as):
    letter = generate_letter(case=make_case(commune_a), kind=LetterKind.INFORMATION, user=member(Role.AGENT))
    client = client_as(member(Role.DEPARTMENT))
    response = client.get(reverse("documents:download", kwargs={"commune": "villeneuve", "pk": letter.pk}))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()
    page = client.get(
        reverse("documents:case_letters", kwargs={"commune": "villeneuve", "case": letter.case_id})
    )
    assert "votre rôle ne permet pas de les lire" in html.unescape(page.text)
    assert reverse("documents:download", kwargs={"commune": "villeneuve", "pk": letter.pk}) not in page.text


def test_the_prefecture_sees_no_letter_of_a_case_not_transmitted_to_it(commune_a, member, client_as):
    case = make_case(commune_a)
    letter = generate_letter(case=case, kind=LetterKind.INFORMATION, user=member(Role.AGENT))
    client = client_as(member(Role.PREFECTURE))
    url = reverse("documents:download", kwargs={"commune": "villeneuve", "pk": letter.pk})
    assert client.get(url).status_code == 404
    case.transmit(user=None, to_role=Role.PREFECTURE)
    response = client.get(url)
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action=Action.EXPORT, object_id=str(letter.pk)).count() == 1


def test_the_prefecture_cannot_produce_a_letter_on_a_case_not_transmitted_to_it(commune_a, member, client_as):
    case = make_case(commune_a)
    response = client_as(member(Role.PREFECTURE)).post(
        generate_url(case), {"kind": "arrete_fermeture_ecole_de_fait", "reasons": "x"}
    )
    assert response.status_code == 404
    assert not GeneratedLetter.objects.exists()


def test_every_kind_of_letter_has_an_author_and_its_articles_and_every_decision_its_appeal():
    assert set(SPECS) == set(LetterKind.values)
    for letter in SPECS.values():
        assert letter.legal_basis and letter.roles
        assert letter.appealable == (letter.appeal is not None)
    assert SPECS["ief_refus"].appeal.rapo_days == 15
    assert SPECS["mise_en_demeure"].authority == Authority.DSDEN


def test_the_prefecture_produces_its_closure_order_on_a_place_case_that_names_no_child(
    commune_a, member, client_as
):
    from veille.web.cellule.cases.models import Case, Domain, Origin

    site = Case.objects.create(commune=commune_a, domain=Domain.UNDECLARED_SCHOOL, origin=Origin.FIELD)
    prefect = member(Role.PREFECTURE)
    response = client_as(prefect).post(
        generate_url(site), {"kind": "arrete_fermeture_ecole_de_fait", "reasons": "Douze enfants accueillis."}
    )
    assert response.status_code == 302
    letter = GeneratedLetter.objects.get(case=site)
    assert "Douze enfants accueillis." in pdf_text(bytes(letter.pdf))
    download = reverse("documents:download", kwargs={"commune": "villeneuve", "pk": letter.pk})
    assert client_as(prefect).get(download).status_code == 200


# --- one home for the legal data of a letter: the rule table (veille.law) ---------------------------


def test_every_kind_of_letter_reads_its_authors_appeal_and_articles_from_the_rule_table():
    for kind, letter in SPECS.items():
        document = law.DOCUMENTS[kind]
        assert letter.document is document
        assert letter.appeal is document.recourse and letter.appealable == document.appealable
        assert letter.legal_basis == document.references
        assert letter.family_letter == document.privacy_notice
        assert [s.signer for s in letter.signatories()] == list(document.signatories)
        for author in letter.signatories():
            assert author.roles == frozenset(document.roles_of(author.signer)) and author.roles
            assert author.label == law.AUTHORITIES[author.signer.authority].label
        assert letter.to_verify == " ; ".join(document.unverified)


def test_the_letters_module_keeps_no_second_copy_of_the_law():
    legal_types = (law.Recourse, law.Document, law.Signer, law.Authority)
    assert not [name for name, value in vars(letters_law).items() if isinstance(value, legal_types)]
    source = inspect.getsource(letters_law)
    for text in ("R421", "D131", "L131", "L44", "227-17-1", "tribunal", "recours gracieux", "quinze"):
        assert text not in source, text


def test_the_referral_to_the_procureur_is_signed_by_the_dasen_on_its_letterhead_or_by_the_mayor_on_his(
    commune_a, member, dsden
):
    case = make_case(commune_a)
    _record_formal_notice(case, date(2026, 10, 5))
    by_dasen = pdf_text(
        bytes(
            generate_letter(case=case, kind=LetterKind.PROSECUTOR_REFERRAL, user=member(Role.EDUCATION)).pdf
        )
    )
    assert by_dasen.startswith("Direction des services départementaux de l'Éducation nationale du Fictif")
    assert "Mairie de" not in by_dasen
    by_mayor = pdf_text(
        bytes(generate_letter(case=case, kind=LetterKind.PROSECUTOR_REFERRAL, user=member(Role.REFERENT)).pdf)
    )
    assert by_mayor.startswith("Mairie de Villeneuve-sur-Fictif")
    # The act itself is the référent's or the DSDEN's (rule table « signalant »), not any agent's.
    with pytest.raises(PermissionDenied):
        generate_letter(case=case, kind=LetterKind.PROSECUTOR_REFERRAL, user=member(Role.AGENT))
    referral = law.DOCUMENTS["signalement_procureur"]
    assert {s.letterhead for s in referral.signers} == {"dsden", "commune"}
    mayor = next(s for s in referral.signers if s.authority == "maire")
    assert "CPP 40 al. 2" in mayor.references and mayor.to_verify
    flagged = {(name, w) for _, name, what in law.unverified_rows() for w in what}
    assert any(name == "refer_to_prosecutor" and mayor.to_verify in w for name, w in flagged)


def test_an_absenteeism_case_has_no_referral_letter_under_227_17_1(commune_a, member, client_as):
    case = make_case(commune_a)
    case.domain = Domain.ABSENTEEISM
    case.save()
    inspector = member(Role.EDUCATION)
    with pytest.raises(PermissionDenied, match="n'existe pas"):
        generate_letter(case=case, kind=LetterKind.PROSECUTOR_REFERRAL, user=inspector)
    page = client_as(inspector).get(
        reverse("documents:case_letters", kwargs={"commune": "villeneuve", "case": case.pk})
    )
    assert 'value="avertissement"' in page.text and 'value="signalement_procureur"' not in page.text


def test_an_opposition_to_opening_is_signed_on_the_letterhead_of_whichever_authority_forms_it(
    commune_a, member, dsden
):
    site = Case.objects.create(commune=commune_a, domain=Domain.PRIVATE_SCHOOL, origin=Origin.PRIVATE_SCHOOL)
    heads = {}
    for role in (Role.REFERENT, Role.EDUCATION, Role.PREFECTURE):
        letter = generate_letter(
            case=site, kind=LetterKind.OPENING_OPPOSITION, user=member(role), reasons="Titres du directeur."
        )
        text = pdf_text(bytes(letter.pdf))
        heads[role] = text.split()[0]
        assert "Voies et délais de recours" in text and "Titres du directeur." in text
    assert heads == {Role.REFERENT: "Mairie", Role.EDUCATION: "Direction", Role.PREFECTURE: "Préfecture"}


def test_the_gdpr_article_14_information_is_kept_by_the_mairies_letters_to_the_family_the_table_names():
    from pathlib import Path

    from veille.web.cellule.documents.mentions import PRIVACY, required_mentions

    for kind, letter in SPECS.items():
        assert (PRIVACY in required_mentions(letter)) == law.DOCUMENTS[kind].privacy_notice, kind
        if letter.family_letter:
            assert letter.letterheads == {"commune"}, kind
    assert {k for k, s in SPECS.items() if s.family_letter} == {"information", "convocation"}
    # Which letters are exempt, and why the art. 14 §5(c) exemption is not relied on: the docs say it.
    docs = (Path(__file__).resolve().parents[2] / "docs" / "protection-des-donnees.md").read_text()
    assert "Exemption de l'article 14, paragraphe 5, c)" in docs and "(information ou convocation)" in docs
