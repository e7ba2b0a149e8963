"""The legal mentions a letter must carry, written from data, and the check that a template keeps them.

A référent edits the wording of a letter, not its legal mentions: the *voies et délais de recours* of an
appealable decision come from the rule table (``veille.law.Recourse``), the GDPR art. 14 information
from the commune's settings, the reasons from the member who produces the decision. The template only
says where they go, with a placeholder, and ``missing_mentions`` refuses a template that drops or hides one.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from django.template.base import VariableNode
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.safestring import SafeString, mark_safe

from veille.law import Recourse

from .law import LetterSpec


@dataclass(frozen=True)
class Mention:
    placeholder: str
    label: str
    why: str
    #: a text every rendering of the mention contains, to find it in the rendered sample
    marker: str


REASONS = Mention(
    "motifs",
    "motifs de la décision",
    "une décision défavorable est motivée, par des motifs propres au dossier (code des relations entre "
    "le public et l'administration, articles L211-2 et L211-5)",
    "Motifs de la décision",
)
APPEAL = Mention(
    "voies_et_delais_de_recours",
    "voies et délais de recours",
    "sans elle, aucun délai de recours ne court contre la décision (code de justice administrative, "
    "article R421-5)",
    "Voies et délais de recours",
)
PRIVACY = Mention(
    "information_rgpd",
    "information sur les données personnelles (article 14 du RGPD)",
    "le premier courrier adressé à la famille à partir des données de la CAF ou de la MSA lui dit d'où "
    "viennent ses données, pourquoi et combien de temps elles sont gardées, et quels sont ses droits "
    "(RGPD, article 14)",
    "Vos données personnelles",
)


def required_mentions(spec: LetterSpec) -> list[Mention]:
    """The mentions a template of this kind must keep."""
    mentions = []
    if spec.appealable:
        mentions += [REASONS, APPEAL]
    if spec.family_letter:
        mentions.append(PRIVACY)
    return mentions


def reasons_block(reasons: str) -> SafeString:
    """The reasons typed by the member who produces the decision (escaped, paragraphs kept)."""
    if not reasons.strip():
        return mark_safe("")
    return format_html(
        '<div class="motifs"><p><strong>{}</strong></p>{}</div>',
        REASONS.marker,
        mark_safe(linebreaks(reasons.strip(), autoescape=True)),
    )


def appeal_block(appeal: Recourse | None, gracious: str = "") -> SafeString:
    """The voies et délais de recours of a decision, from the rule table's ``Recourse``.

    Args:
        appeal: the decision's recourse (``None``: not an appealable decision, no block).
        gracious: the optional appeal to its author (``law.Authority.gracious``), if the recourse has one.
    """
    if appeal is None:
        return mark_safe("")
    start = (
        "la notification de la décision prise sur ce recours" if appeal.rapo_compulsory else "sa notification"
    )
    court = (
        f"le {appeal.court}, dans un délai de {_months(appeal.court_months)} à compter de {start} "
        f"({appeal.court_basis})"
    )
    paragraphs = []
    if appeal.rapo_compulsory:
        paragraphs.append(
            "Avant tout recours devant le juge, vous devez former un recours administratif préalable "
            f"obligatoire auprès de {appeal.rapo_to}, dans un délai de {_days(appeal.rapo_days)} "
            f"à compter de la notification de la présente décision ({appeal.rapo_basis}). Un recours "
            "porté directement devant le tribunal administratif, sans ce recours préalable, serait "
            "irrecevable."
        )
        paragraphs.append(f"La décision prise sur ce recours peut être contestée devant {court}.")
    else:
        paragraphs.append(f"Cette décision peut être contestée devant {court}.")
        if appeal.gracious and gracious:
            paragraphs.append(f"Vous pouvez aussi, dans le même délai, former {gracious}.")
    paragraphs.append(
        "Le tribunal administratif peut être saisi par courrier ou par l'application « Télérecours "
        "citoyens » (www.telerecours.fr)."
    )
    return format_html(
        '<div class="recours"><p><strong>{}</strong></p>{}</div>',
        APPEAL.marker,
        format_html_join("", "<p>{}</p>", ((p,) for p in paragraphs)),
    )


def privacy_block(*, organisme: str, dpo_contact: str, earlier_letter_on: str) -> SafeString:
    """The GDPR art. 14 information; in full on the first letter, a reminder on the next ones.

    Args:
        organisme: ``CAF`` or ``MSA``, where the family's data come from.
        dpo_contact: the commune's data-protection officer (empty: ask the mairie).
        earlier_letter_on: the date of the first letter that gave it in full (empty: this one does).
    """
    contact = dpo_contact.strip() or "le délégué à la protection des données de la commune (mairie)"
    if earlier_letter_on:
        return format_html(
            '<div class="rgpd"><p><strong>{}</strong> : les informations prévues par l\'article 14 du '
            "RGPD (origine, finalité, base légale, durée de conservation de vos données et vos droits) "
            "figurent dans notre courrier du {}. Contact : {}.</p></div>",
            PRIVACY.marker,
            earlier_letter_on,
            contact,
        )
    source = {"CAF": "la caisse d'allocations familiales (CAF)", "MSA": "la mutualité sociale agricole (MSA)"}
    lines = (
        ("Origine", f"votre nom, votre adresse et l'identité de votre enfant nous ont été transmis par "
         f"{source.get(organisme, 'la caisse qui vous verse les prestations familiales')} "
         "(articles L131-6 et R131-10-1 et suivants du code de l'éducation)."),
        ("Finalité", "recenser les enfants de la commune soumis à l'obligation d'instruction et veiller "
         "à ce que chacun reçoive une instruction (articles L131-1 et L131-6 du code de l'éducation)."),
        ("Base légale", "l'obligation légale du maire et sa mission d'intérêt public (article 6, "
         "paragraphe 1, c et e, du RGPD)."),
        ("Destinataires", "les agents et élus de la commune désignés à cet effet et, pour ce qui les "
         "concerne, les services de l'Éducation nationale et du département (article R131-10-5 du code "
         "de l'éducation)."),
        ("Durée de conservation", "jusqu'à la fin de l'année scolaire au cours de laquelle l'enfant a "
         "16 ans ; les données sont supprimées dès que la mairie apprend que l'enfant n'habite plus la "
         "commune (article R131-10-4 du code de l'éducation)."),
        ("Vos droits", "vous pouvez accéder aux données qui vous concernent, les faire rectifier ou en "
         "demander la limitation (articles 15, 16 et 18 du RGPD) auprès de la mairie, et adresser une "
         "réclamation à la CNIL (www.cnil.fr)."),
        ("Contact", f"{contact}."),
    )  # fmt: skip
    return format_html(
        '<div class="rgpd"><p><strong>{}</strong> (article 14 du règlement général sur la protection '
        "des données)</p><ul>{}</ul></div>",
        PRIVACY.marker,
        format_html_join("", "<li>{} : {}</li>", lines),
    )


def _days(n: int) -> str:
    return {15: "quinze jours"}.get(n, f"{n} jours")


def _months(n: int) -> str:
    return {1: "un mois", 2: "deux mois"}.get(n, f"{n} mois")


# ---------------------------------------------------------------------------------------------
# Does a template keep its mentions?

HIDING_ELEMENTS = frozenset({"style", "script", "title", "template", "head", "noscript", "textarea"})


class _VisibleText(HTMLParser):
    """Collects the text a reader sees; text inside comments, hiding elements or elements with a
    ``style`` or ``hidden`` attribute is set apart, and a ``<style>`` sheet anywhere may hide anything:
    the référent cannot style a mention away (the layout's own style sheet hides nothing)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []
        self.visible: list[str] = []
        self.hidden: list[str] = []
        self.has_style_sheet = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        self.has_style_sheet |= tag in {"style", "link"}
        hides = tag in HIDING_ELEMENTS or bool(names & {"style", "hidden", "aria-hidden"})
        if tag not in {"br", "img", "hr", "meta", "link", "input", "wbr"}:
            self.stack.append(hides)

    def handle_endtag(self, tag: str) -> None:
        if self.stack and tag not in {"br", "img", "hr", "meta", "link", "input", "wbr"}:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        (self.hidden if any(self.stack) else self.visible).append(data)

    def handle_comment(self, data: str) -> None:
        self.hidden.append(data)


def _top_level_placeholders(nodelist: Any) -> set[str]:
    """Placeholders written at the top level of a template, without a filter: outside any
    ``{% if %}``, ``{% for %}``, ``{% with %}``, ``{% comment %}``, so that they always render."""
    names = set()
    for node in nodelist:
        if isinstance(node, VariableNode) and not node.filter_expression.filters:
            lookups = getattr(node.filter_expression.var, "lookups", None)
            if lookups:
                names.add(".".join(lookups))
    return names


def missing_mentions(spec: LetterSpec, nodelist: Any, rendered_sample: str) -> list[Mention]:
    """The required mentions a compiled template drops, puts under a condition or hides.

    Args:
        spec: the kind of letter.
        nodelist: the compiled template's top-level nodes.
        rendered_sample: the template rendered with the sample context.
    """
    placed = _top_level_placeholders(nodelist)
    parser = _VisibleText()
    parser.feed(rendered_sample)
    parser.close()
    visible = "" if parser.has_style_sheet else " ".join(parser.visible)
    missing = []
    for mention in required_mentions(spec):
        if mention.placeholder not in placed or mention.marker not in visible:
            missing.append(mention)
    return missing


def mention_error(mention: Mention) -> str:
    """The French message of a template that drops a mention."""
    return (
        f"Le modèle doit garder la mention obligatoire « {mention.label} » : écrivez "
        f"{{{{ {mention.placeholder} }}}} dans le texte du courrier, seul, hors de toute condition "
        f"({{% if %}}), boucle, commentaire ou balise qui la masquerait. Pourquoi : {mention.why}."
    )
