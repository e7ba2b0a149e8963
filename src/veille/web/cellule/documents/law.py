"""The letters' view of the rule table: each kind of letter is a document of ``veille.law.DOCUMENTS``.

Everything legal about a letter (its author or authors, each on its letterhead and under its article,
whether it is an appealable decision, its *voies et délais de recours*, its articles, the GDPR art. 14
information, what is « à vérifier ») is read from the table, never written here: a test checks that no
second copy exists. This module adds only what the web needs: the letterheads a ``StateLetterhead`` is
stored under, the roles of the cell that act for each, and which letters ask the form for typed content.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from veille import law

from .models import LetterKind


class Authority(models.TextChoices):
    """The letterheads a letter is printed on (the table's ``letterhead`` values that letters use)."""

    COMMUNE = "commune", "Commune (le maire ou ses agents)"
    DSDEN = "dsden", "DSDEN (le DASEN, autorité de l'État compétente en matière d'éducation)"
    PREFECTURE = "prefecture", "Préfecture (le préfet, représentant de l'État dans le département)"


#: whose letterhead it is, as an authority of the table
LETTERHEAD_OWNER: dict[str, str] = {
    Authority.COMMUNE: "maire",
    Authority.DSDEN: "dasen",
    Authority.PREFECTURE: "prefet",
}
#: the roles of the cell that act for each letterhead's owner (and so may set a State letterhead)
AUTHORITY_ROLES: dict[str, frozenset[str]] = {
    head: frozenset(law.AUTHORITIES[owner].roles) for head, owner in LETTERHEAD_OWNER.items()
}

#: not decisions, but their content is typed for the case when producing them (the enquiry's findings)
TYPED_CONTENT = frozenset({LetterKind.MAYOR_ENQUIRY_RESULT.value})


@dataclass(frozen=True)
class Signatory:
    """One author of a kind of letter, as the letters use it."""

    signer: law.Signer
    roles: frozenset[str]

    @property
    def authority(self) -> Authority:
        """The letterhead it is printed on."""
        return Authority(self.signer.letterhead)

    @property
    def label(self) -> str:
        return law.AUTHORITIES[self.signer.authority].label

    @property
    def gracious(self) -> str:
        """The optional appeal its decisions offer (to this author)."""
        return law.AUTHORITIES[self.signer.authority].gracious


@dataclass(frozen=True)
class LetterSpec:
    """A kind of letter: the table's document of the same code, and the web's few additions."""

    code: str
    document: law.Document

    @property
    def legal_basis(self) -> str:
        return self.document.references

    @property
    def appealable(self) -> bool:
        return self.document.appealable

    @property
    def appeal(self) -> law.Recourse | None:
        return self.document.recourse

    @property
    def family_letter(self) -> bool:
        return self.document.privacy_notice

    @property
    def to_verify(self) -> str:
        return " ; ".join(self.document.unverified)

    @property
    def requires_text(self) -> bool:
        return self.code in TYPED_CONTENT

    @property
    def needs_reasons(self) -> bool:
        return self.appealable or self.requires_text

    def signatories(self, domain: str | None = None) -> list[Signatory]:
        """Who may sign it in a case of this domain (``None``: in any)."""
        return [Signatory(s, frozenset(self.document.roles_of(s))) for s in self.document.signers_in(domain)]

    def signatory_for(self, role: str, domain: str | None = None) -> Signatory | None:
        """The author a member of this role signs for, in a case of this domain."""
        return next((s for s in self.signatories(domain) if role in s.roles), None)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset().union(*(s.roles for s in self.signatories()))

    @property
    def authority(self) -> Authority:
        """The letterhead of its first author (the one the table lists first)."""
        return self.signatories()[0].authority

    @property
    def signed_by(self) -> str:
        return " ou ".join(s.label for s in self.signatories())

    @property
    def letterheads(self) -> frozenset[str]:
        return frozenset(s.signer.letterhead for s in self.signatories())


SPECS: dict[str, LetterSpec] = {kind: LetterSpec(kind, law.DOCUMENTS[kind]) for kind in LetterKind.values}


def spec(code: str) -> LetterSpec:
    return SPECS[code]
