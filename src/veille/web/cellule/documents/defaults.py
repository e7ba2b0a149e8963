"""The letters shipped with Veille, in French: the first version of each commune's templates.

Each is (subject, body); the body is HTML in Django template syntax with the placeholders of
``rendering.PLACEHOLDERS``. The commune's letterhead, the date and the signatory are added around it.
Legal references: Code de l'éducation L131-1 (instruction obligatoire de 3 à 16 ans), L131-5
(inscription ou autorisation d'instruction dans la famille), L131-6 (liste du maire), L131-10 (enquête
de la mairie, contrôle et mise en demeure), Code pénal 227-17-1, Code de procédure pénale 40.
"""

from __future__ import annotations

from .models import LetterKind

_RECIPIENT = """<div class="destinataire">
  <p>{{ responsable.prenom }} {{ responsable.nom }}<br>
  {{ responsable.adresse }}<br>
  {{ responsable.code_postal }} {{ responsable.ville }}</p>
</div>
"""

INFORMATION = (
    "Instruction obligatoire de {{ enfant.prenoms }} {{ enfant.nom }}",
    _RECIPIENT
    + """<p>Madame, Monsieur,</p>
<p>L'instruction est obligatoire pour chaque enfant, de 3 à 16 ans (article L131-1 du code de
l'éducation). Elle est donnée dans une école ou un établissement scolaire, public ou privé, ou, sur
autorisation de l'autorité académique, dans la famille (article L131-5 du code de l'éducation).</p>
<p>Le maire tient la liste des enfants de la commune soumis à l'obligation d'instruction (article L131-6
du code de l'éducation). Nous n'avons pas trouvé à ce jour d'information sur la scolarité de
{{ enfant.prenoms }} {{ enfant.nom }}, {{ enfant.ne_ou_nee }} le {{ enfant.date_naissance }}.</p>
<p>Si votre enfant est inscrit dans une école ou un établissement, ou instruit dans la famille avec
l'autorisation de la direction académique, nous vous remercions de nous en transmettre le justificatif
(certificat de scolarité ou autorisation){% if echeance %} avant le {{ echeance }}{% endif %}. Si votre
enfant n'est pas encore inscrit, le service des affaires scolaires de la mairie est à votre disposition
pour vous accompagner dans cette démarche.</p>
<p>Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.</p>
""",
)

CONVOCATION = (
    "Convocation au sujet de la scolarité de {{ enfant.prenoms }} {{ enfant.nom }}",
    _RECIPIENT
    + """<p>Madame, Monsieur,</p>
<p>L'instruction est obligatoire pour chaque enfant de 3 à 16 ans (article L131-1 du code de
l'éducation) et le maire veille au respect de cette obligation pour les enfants de la commune (article
L131-6 du code de l'éducation).</p>
<p>Nous souhaitons faire le point avec vous sur la scolarité de {{ enfant.prenoms }} {{ enfant.nom }},
{{ enfant.ne_ou_nee }} le {{ enfant.date_naissance }}. Nous vous prions de bien vouloir vous présenter
{% if rendez_vous %}le {{ rendez_vous }}{% else %}à la mairie à la date qui vous sera indiquée{% endif %},
muni(e) de tout document relatif à la scolarité de votre enfant (certificat de scolarité, autorisation
d'instruction dans la famille).</p>
<p>Si vous ne pouvez pas venir à ce rendez-vous, merci de nous en informer au plus tôt afin d'en fixer
un autre.</p>
<p>Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.</p>
""",
)

FORMAL_NOTICE = (
    "Mise en demeure d'inscrire {{ enfant.prenoms }} {{ enfant.nom }} dans un établissement d'enseignement",
    """<p><strong>Lettre recommandée avec avis de réception</strong></p>
"""
    + _RECIPIENT
    + """<p>Madame, Monsieur,</p>
<p>Votre enfant {{ enfant.prenoms }} {{ enfant.nom }}, {{ enfant.ne_ou_nee }} le
{{ enfant.date_naissance }}, est soumis à l'obligation d'instruction (article L131-1 du code de
l'éducation). À ce jour, il n'est inscrit dans aucune école ni aucun établissement d'enseignement et ne
bénéficie d'aucune autorisation d'instruction dans la famille (articles L131-5 et L131-10 du code de
l'éducation).</p>
<p>En conséquence, <strong>vous êtes mis en demeure d'inscrire votre enfant dans un établissement
d'enseignement public ou privé dans un délai de quinze jours</strong> à compter de la réception de la
présente lettre{% if echeance %}, soit au plus tard le {{ echeance }}{% endif %}, et de faire connaître
au maire de {{ commune.nom }} l'école ou l'établissement que vous aurez choisi (article L131-10 du code
de l'éducation).</p>
<p>Nous vous rappelons que le fait, par les parents d'un enfant ou toute personne exerçant à son égard
l'autorité parentale, de ne pas l'inscrire dans un établissement d'enseignement, sans excuse valable,
en dépit d'une mise en demeure, est puni de six mois d'emprisonnement et de 7 500 euros d'amende
(article 227-17-1 du code pénal).</p>
<p>Le service des affaires scolaires de la mairie peut vous aider dans vos démarches.</p>
<p>Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.</p>
""",
)

PROSECUTOR_REFERRAL = (
    "Signalement d'un enfant soumis à l'obligation d'instruction non instruit"
    " — dossier n° {{ dossier.numero }}",
    """<div class="destinataire">
  <p>Madame ou Monsieur le procureur de la République<br>
  Tribunal judiciaire</p>
</div>
<p>Madame ou Monsieur le procureur de la République,</p>
<p>En application de l'article 40 du code de procédure pénale, j'ai l'honneur de porter à votre
connaissance la situation de l'enfant suivant, soumis à l'obligation d'instruction (article L131-1 du
code de l'éducation) :</p>
<ul>
  <li>enfant : {{ enfant.prenoms }} {{ enfant.nom }}, {{ enfant.ne_ou_nee }} le
      {{ enfant.date_naissance }} ;</li>
  <li>personne responsable : {{ responsable.prenom }} {{ responsable.nom }}, {{ responsable.adresse }},
      {{ responsable.code_postal }} {{ responsable.ville }} ;</li>
  <li>dossier de la cellule de prévention de l'évitement scolaire de {{ commune.nom }}
      n° {{ dossier.numero }},
      ouvert le {{ dossier.ouvert_le }} ({{ dossier.domaine }}).</li>
</ul>
<p>Malgré les démarches de la cellule et la mise en demeure adressée aux personnes responsables,
l'enfant n'est inscrit dans aucun établissement d'enseignement et ne bénéficie d'aucune autorisation
d'instruction dans la famille. Ces faits sont susceptibles de constituer l'infraction prévue à
l'article 227-17-1 du code pénal.</p>
<p>Les pièces du dossier (courriers adressés à la famille, comptes rendus de la cellule) sont à votre
disposition.</p>
<p>Je vous prie d'agréer, Madame ou Monsieur le procureur de la République, l'expression de ma haute
considération.</p>
""",
)

MAYOR_ENQUIRY = (
    "Enquête de la mairie sur l'instruction dans la famille de {{ enfant.prenoms }} {{ enfant.nom }}",
    """<p>Enquête prévue par l'article L131-10 du code de l'éducation : dès la première année
d'instruction dans la famille, puis tous les deux ans, le maire fait une enquête sur les raisons
alléguées par les personnes responsables de l'enfant et sur le fait qu'il lui est donné une instruction
dans la mesure compatible avec son état de santé et les conditions de vie de la famille. Le résultat de
l'enquête est communiqué à l'autorité de l'État compétente en matière d'éducation.</p>
<h2>L'enfant</h2>
<p>Nom : {{ enfant.nom }} — Prénoms : {{ enfant.prenoms }} — {{ enfant.ne_ou_nee|capfirst }} le
{{ enfant.date_naissance }} ({{ enfant.age }} ans)</p>
<h2>Les personnes responsables</h2>
<p>{{ responsable.prenom }} {{ responsable.nom }}, {{ responsable.adresse }}, {{ responsable.code_postal }}
{{ responsable.ville }}</p>
<h2>Enquête</h2>
<p>Date de la visite ou de l'entretien :</p><div class="champ"></div>
<p>Motif de l'instruction dans la famille invoqué par les personnes responsables (état de santé ou
handicap ; pratique sportive ou artistique intensive ; itinérance ou éloignement ; situation propre à
l'enfant) :</p><div class="champ"></div><div class="champ"></div>
<p>Personne(s) qui assure(nt) l'instruction :</p><div class="champ"></div>
<p>Conditions de vie de la famille et lieu où l'instruction est donnée :</p>
<div class="champ"></div><div class="champ"></div>
<p>L'instruction donnée est-elle compatible avec l'état de santé de l'enfant et les conditions de vie
de la famille ? Observations :</p><div class="champ"></div><div class="champ"></div>
<p>Enquête réalisée par (nom et qualité) :</p><div class="champ"></div>
<p class="reference">Dossier n° {{ dossier.numero }} — à transmettre à la direction des services
départementaux de l'Éducation nationale.</p>
""",
)

DEFAULT_TEMPLATES: dict[LetterKind, tuple[str, str]] = {
    LetterKind.INFORMATION: INFORMATION,
    LetterKind.CONVOCATION: CONVOCATION,
    LetterKind.FORMAL_NOTICE: FORMAL_NOTICE,
    LetterKind.PROSECUTOR_REFERRAL: PROSECUTOR_REFERRAL,
    LetterKind.MAYOR_ENQUIRY: MAYOR_ENQUIRY,
}
