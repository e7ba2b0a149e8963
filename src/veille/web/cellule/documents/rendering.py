"""Render the référent's letter templates safely: a bare template engine and a dict of strings.

An edited template is code written by a user. It is compiled by an engine of its own (no template
loaders, no tag libraries, no context processors) and only a few harmless tags are allowed; it is
rendered with a plain dict whose leaves are strings, never model instances, so that
``{{ dossier.commune.memberships }}`` renders nothing: a template cannot reach data it was not given.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import Lexer, Node, TokenType, VariableNode
from django.utils import formats, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from veille import law
from veille.compulsory import age_on

from .law import SPECS, spec
from .mentions import appeal_block, mention_error, missing_mentions, privacy_block, reasons_block

ENGINE = Engine(
    dirs=[], app_dirs=False, loaders=[], libraries={}, autoescape=True, string_if_invalid="", debug=False
)

ALLOWED_TAGS = frozenset(
    {
        "if", "elif", "else", "endif", "for", "empty", "endfor", "with", "endwith", "comment",
        "endcomment", "firstof", "now", "spaceless", "endspaceless", "autoescape", "endautoescape",
        "filter", "endfilter", "cycle", "ifchanged", "endifchanged", "verbatim", "endverbatim",
        "templatetag", "widthratio",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Placeholder:
    name: str
    meaning: str
    example: str


PLACEHOLDERS: tuple[Placeholder, ...] = (
    Placeholder("enfant.nom", "nom de famille de l'enfant", "EXEMPLE"),
    Placeholder("enfant.prenoms", "prénoms de l'enfant", "Léa Camille"),
    Placeholder("enfant.date_naissance", "date de naissance de l'enfant", "3 avril 2016"),
    Placeholder("enfant.age", "âge de l'enfant aujourd'hui (en années)", "9"),
    Placeholder("enfant.sexe", "« F » ou « M » (vide si inconnu)", "F"),
    Placeholder("enfant.ne_ou_nee", "« né » ou « née » selon le sexe", "née"),
    Placeholder("responsable.nom", "nom de l'allocataire (parent)", "EXEMPLE"),
    Placeholder("responsable.prenom", "prénom de l'allocataire", "Camille"),
    Placeholder("responsable.adresse", "adresse du foyer (rue)", "12 rue des Tilleuls"),
    Placeholder("responsable.code_postal", "code postal du foyer", "59999"),
    Placeholder("responsable.ville", "commune du foyer", "Villeneuve-sur-Fictif"),
    Placeholder("commune.nom", "nom de la commune", "Villeneuve-sur-Fictif"),
    Placeholder("commune.adresse", "adresse de la mairie", "Place de la Mairie, 59999 Villeneuve"),
    Placeholder("commune.code_insee", "code INSEE de la commune", "59999"),
    Placeholder("dossier.numero", "numéro du dossier", "42"),
    Placeholder("dossier.domaine", "domaine du dossier", "Absence d'instruction"),
    Placeholder("dossier.ouvert_le", "date d'ouverture du dossier", "2 septembre 2025"),
    Placeholder("date_du_jour", "date du jour", "15 septembre 2025"),
    Placeholder("echeance", "échéance donnée à la famille (mise en demeure : 15 jours)", "30 septembre 2025"),
    Placeholder("rendez_vous", "date, heure et lieu d'un rendez-vous", "mardi 23 septembre à 14 h"),
    Placeholder("signataire", "signataire du courrier (commune, DSDEN ou préfecture)", "Le maire"),
    Placeholder("dossier.historique", "les étapes du dossier et leurs dates (ce qui s'est passé)", "…"),
    Placeholder("dossier.mise_en_demeure_notifiee_le",
                "notification de la mise en demeure (vide si aucune n'est enregistrée)", "12 septembre 2025"),
    Placeholder("motifs", "motifs propres au dossier, saisis en produisant (obligatoire : décision)", "…"),
    Placeholder("voies_et_delais_de_recours",
                "voies et délais de recours, écrits d'après le droit (obligatoire : décision)", "…"),
    Placeholder("information_rgpd",
                "information RGPD art. 14 (obligatoire : courrier de la mairie à la famille)", "…"),
)  # fmt: skip

#: steps of the procedure that record a notified mise en demeure (its effective date: the notification)
FORMAL_NOTICE_STEPS = frozenset({"mise_en_demeure"})


def _nest(flat: dict[str, str]) -> dict[str, Any]:
    """``{"enfant.nom": "X"}`` → ``{"enfant": {"nom": "X"}}``."""
    nested: dict[str, Any] = {}
    for dotted, value in flat.items():
        head, _, tail = dotted.partition(".")
        if tail:
            nested.setdefault(head, {})[tail] = value
        else:
            nested[head] = value
    return nested


def sample_context(kind: str | None = None) -> dict[str, Any]:
    """Fictitious values of every placeholder, for the preview of a template being edited; the legal
    mentions are the real blocks of that kind of letter."""
    flat: dict[str, str] = {p.name: p.example for p in PLACEHOLDERS}
    letter = spec(kind) if kind in SPECS else None
    flat["motifs"] = reasons_block(
        "Motifs propres au dossier, saisis par la personne qui produit la décision."
    )
    author = letter.signatories()[0] if letter else None
    flat["voies_et_delais_de_recours"] = appeal_block(
        (letter.appeal if letter else None) or law.TA_2_MONTHS,
        author.gracious if author else law.AUTHORITIES["dasen"].gracious,
    )
    flat["information_rgpd"] = privacy_block(organisme="CAF", dpo_contact="", earlier_letter_on="")
    flat["dossier.historique"] = history_block([(date(2025, 9, 2), "Famille convoquée à un entretien")])
    return _nest(flat)


def french_date(value: date | None) -> str:
    """``3 avril 2016``, ``1er octobre 2025`` (empty if no date)."""
    if value is None:
        return ""
    with translation.override("fr"):
        text = formats.date_format(value, "j F Y")
    return "1er" + text[1:] if value.day == 1 else text


def letter_context(
    *,
    case: Any,
    commune: Any,
    today: date,
    due_date: date | None = None,
    appointment: str = "",
    kind: str = "",
    reasons: str = "",
    signatory: str | None = None,
    gracious: str = "",
    dpo_contact: str = "",
    earlier_family_letter_on: str = "",
) -> dict[str, Any]:
    """The dict of strings a letter of this case is rendered with; the only data a template sees.

    Args:
        case: the ``cases.Case``; its child may be gone (purged), the fields are then empty.
        commune: the case's ``territories.Commune``.
        today: the letter's date.
        due_date: the deadline given to the family (``echeance``).
        appointment: free text of a convocation's date, time and place (``rendez_vous``).
        kind: the ``LetterKind``: its appeal gives ``voies_et_delais_de_recours``.
        reasons: the reasons of a decision, specific to the case (``motifs``).
        signatory: who signs (the letterhead's); the commune's by default.
        gracious: the optional appeal to the letter's author (``law.Authority.gracious``).
        dpo_contact: the commune's data-protection officer (art. 14 information).
        earlier_family_letter_on: date of an earlier letter to the family that gave the art. 14
            information in full (empty: this letter gives it).
    """
    child = case.child
    letter = spec(kind) if kind in SPECS else None
    notice_on = formal_notice_notified_on(case)
    sex = (child.sex if child else "").upper()[:1]
    flat = {
        "enfant.nom": child.last_name if child else "",
        "enfant.prenoms": child.first_names if child else "",
        "enfant.date_naissance": french_date(child.birth_date) if child else "",
        "enfant.age": str(age_on(child.birth_date, today)) if child else "",
        "enfant.sexe": sex,
        "enfant.ne_ou_nee": "née" if sex == "F" else "né",
        "responsable.nom": child.claimant_last_name if child else "",
        "responsable.prenom": child.claimant_first_name if child else "",
        "responsable.adresse": child.address if child else "",
        "responsable.code_postal": child.postal_code if child else "",
        "responsable.ville": child.city if child else "",
        "commune.nom": commune.name,
        "commune.adresse": commune.address,
        "commune.code_insee": commune.insee_code,
        "dossier.numero": str(case.pk),
        "dossier.domaine": case.get_domain_display(),
        "dossier.ouvert_le": french_date(case.opened_at.date()) if case.opened_at else "",
        "date_du_jour": french_date(today),
        "echeance": french_date(due_date),
        "rendez_vous": appointment,
        "signataire": commune.signatory if signatory is None else signatory,
        "dossier.historique": history_block(case_history(case)),
        "dossier.mise_en_demeure_notifiee_le": french_date(notice_on),
        "motifs": reasons_block(reasons),
        "voies_et_delais_de_recours": appeal_block(letter.appeal if letter else None, gracious),
        "information_rgpd": privacy_block(
            organisme=child.organisme if child else "",
            dpo_contact=dpo_contact,
            earlier_letter_on=earlier_family_letter_on,
        )
        if letter and letter.family_letter
        else "",
    }
    assert set(flat) == {p.name for p in PLACEHOLDERS}, "every placeholder has a value, and only those"
    return _nest(flat)


def case_history(case: Any) -> list[tuple[date, str]]:
    """What happened in the case: each step of its procedure with the date it took effect (notes,
    assignments and letters produced are left out: a letter produced is not a letter sent)."""
    rows = []
    for event in case.events.order_by("at", "pk"):
        if event.kind == "opening" or event.from_state == event.to_state:
            continue
        rows.append((event.effective_date or event.at.date(), event.label))
    return rows


def history_block(rows: list[tuple[date, str]]) -> SafeString:
    if not rows:
        return mark_safe("")
    return format_html(
        "<ul>{}</ul>",
        format_html_join("", "<li>{} : {}</li>", ((french_date(d), label) for d, label in rows)),
    )


def formal_notice_notified_on(case: Any) -> date | None:
    """The notification date of the latest mise en demeure recorded on the case, if any."""
    event = (
        case.events.filter(to_state__in=FORMAL_NOTICE_STEPS)
        .exclude(from_state__in=FORMAL_NOTICE_STEPS)
        .order_by("-at", "-pk")
        .first()
    )
    if event is None:
        return None
    return event.effective_date or event.at.date()


def _walk(nodes: Any) -> Iterator[Node]:
    for node in nodes:
        yield node
        for attr in node.child_nodelists:
            yield from _walk(getattr(node, attr, None) or [])
        if hasattr(node, "conditions_nodelists"):  # {% if %} keeps its branches apart
            for _, branch in node.conditions_nodelists:
                yield from _walk(branch)


def validate_template(source: str, kind: str | None = None) -> None:
    """Refuse a template that does not compile, uses a forbidden tag or an unknown placeholder, or
    (given its ``kind``) drops a legal mention that kind of letter must carry.

    Raises:
        ValidationError: with a French message the référent can act on.
    """
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            tag = token.contents.split()[0] if token.contents.split() else ""
            if tag not in ALLOWED_TAGS:
                raise ValidationError(
                    f"La balise « {{% {tag} %}} » n'est pas permise dans un modèle de courrier "
                    f"(ligne {token.lineno}). Balises permises : if, for, with, firstof, now, comment."
                )
    try:
        template = ENGINE.from_string(source)
    except TemplateSyntaxError as error:
        raise ValidationError(f"Le modèle contient une erreur de syntaxe : {error}") from error
    known = sample_context(kind)
    for node in _walk(template.nodelist):
        if not isinstance(node, VariableNode):
            continue
        var = node.filter_expression.var
        lookups = getattr(var, "lookups", None)
        if not lookups or lookups[0] not in known:
            continue  # a literal, or a name bound by {% for %} / {% with %}
        value: Any = known
        for part in lookups:
            if not isinstance(value, dict) or part not in value:
                name = ".".join(lookups)
                raise ValidationError(
                    f"Le champ « {{{{ {name} }}}} » n'existe pas. Utilisez l'un des champs de la liste "
                    f"ci-dessous (par exemple {{{{ enfant.nom }}}})."
                )
            value = value[part]
    try:
        rendered = ENGINE.from_string(source).render(Context(known, autoescape=True))
    except Exception as error:  # a filter given a wrong argument fails only when rendering
        raise ValidationError(f"Le modèle ne peut pas être mis en forme : {error}") from error
    if kind in SPECS:
        missing = missing_mentions(spec(kind), template.nodelist, rendered)
        if missing:
            raise ValidationError([mention_error(m) for m in missing])


def render_template_text(source: str, context: dict[str, Any]) -> str:
    """Render an (already validated) template with a plain dict context."""
    return ENGINE.from_string(source).render(Context(context, autoescape=True))
