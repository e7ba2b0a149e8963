"""The letters shipped with Veille, in French: the first version of each commune's templates.

Each is (subject, body); the body is HTML in Django template syntax with the placeholders of
``rendering.PLACEHOLDERS``. The author's letterhead (commune, DSDEN or préfecture: the rule table,
``veille.law.DOCUMENTS``), the date and the signatory are added around it. The legal mentions
(reasons, voies et délais de recours, GDPR art. 14 information) are placeholders written from data
(``mentions``); a template must keep them. Legal references: the table's ``Document.references``.
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
{{ information_rgpd }}
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
{{ information_rgpd }}
""",
)

_DSDEN_CLOSING = """<p>Veuillez agréer, Madame, Monsieur, l'expression de ma considération distinguée.</p>
"""

FORMAL_NOTICE = (
    "Mise en demeure d'inscrire {{ enfant.prenoms }} {{ enfant.nom }} dans un établissement d'enseignement",
    """<p><strong>Lettre recommandée avec avis de réception</strong></p>
"""
    + _RECIPIENT
    + """<p>Madame, Monsieur,</p>
<p>Votre enfant {{ enfant.prenoms }} {{ enfant.nom }}, {{ enfant.ne_ou_nee }} le
{{ enfant.date_naissance }}, est soumis à l'obligation d'instruction (article L131-1 du code de
l'éducation). L'instruction est donnée dans un établissement d'enseignement ou, sur autorisation de
l'autorité de l'État compétente en matière d'éducation, dans la famille (article L131-5 du code de
l'éducation).</p>
{{ motifs }}
<p>En conséquence, <strong>vous êtes mis en demeure d'inscrire votre enfant dans un établissement
d'enseignement public ou privé dans un délai de quinze jours à compter de la notification de la
présente décision</strong>, et de faire connaître au maire de {{ commune.nom }} l'école ou
l'établissement que vous aurez choisi (articles L131-5 et L131-10 du code de l'éducation).</p>
<p>Le fait, par les parents d'un enfant ou toute personne exerçant à son égard l'autorité parentale,
de ne pas l'inscrire dans un établissement d'enseignement, sans excuse valable, en dépit d'une mise en
demeure de l'autorité de l'État compétente en matière d'éducation, est puni de six mois
d'emprisonnement et de 7 500 euros d'amende (article 227-17-1 du code pénal).</p>
<p>Le maire de {{ commune.nom }} est informé de la présente mise en demeure.</p>
"""
    + _DSDEN_CLOSING
    + "{{ voies_et_delais_de_recours }}\n",
)

_ESTABLISHMENT = """<div class="destinataire">
  <p>À l'attention de la personne désignée dans les motifs ci-dessous</p>
</div>
"""
PARENTS_FORMAL_NOTICE = (
    "Mise en demeure d'inscrire {{ enfant.prenoms }} {{ enfant.nom }} dans un autre établissement",
    """<p><strong>Lettre recommandée avec avis de réception</strong></p>
"""
    + _RECIPIENT
    + """<p>Madame, Monsieur,</p>
<p>Votre enfant {{ enfant.prenoms }} {{ enfant.nom }}, {{ enfant.ne_ou_nee }} le
{{ enfant.date_naissance }}, soumis à l'obligation d'instruction (article L131-1 du code de
l'éducation), est accueilli dans un établissement ou un lieu qui fait l'objet d'une procédure de
fermeture (articles L441-3-1 et L442-2 du code de l'éducation), pour les motifs suivants :</p>
{{ motifs }}
<p><strong>Vous êtes mis en demeure d'inscrire votre enfant dans un autre établissement
d'enseignement dans un délai de quinze jours à compter de la notification de la présente
décision</strong>, et d'en informer le maire de {{ commune.nom }}.</p>
<p>Ne pas inscrire son enfant dans un établissement d'enseignement, sans excuse valable, en dépit d'une
mise en demeure de l'autorité de l'État compétente en matière d'éducation, est puni de six mois
d'emprisonnement et de 7 500 euros d'amende (article 227-17-1 du code pénal).</p>
"""
    + _DSDEN_CLOSING
    + "{{ voies_et_delais_de_recours }}\n",
)

DIRECTOR_FORMAL_NOTICE = (
    "Mise en demeure de remédier aux manquements constatés lors du contrôle de l'établissement",
    """<p><strong>Lettre recommandée avec avis de réception</strong></p>
"""
    + _ESTABLISHMENT
    + """<p>Madame, Monsieur le directeur,</p>
<p>Le contrôle de l'établissement d'enseignement privé hors contrat que vous dirigez à
{{ commune.nom }} (article L442-2 du code de l'éducation) a fait apparaître les manquements suivants,
précisément décrits, avec ce qu'il vous est demandé de faire pour y remédier :</p>
{{ motifs }}
<p><strong>Vous êtes mis en demeure d'y remédier</strong> dans le délai indiqué ci-dessus. À défaut, le
procureur de la République pourra être saisi et les parents des élèves mis en demeure d'inscrire leur
enfant dans un autre établissement (article L442-2 du code de l'éducation ; article 227-17-1 du code
pénal).</p>
"""
    + _DSDEN_CLOSING
    + "{{ voies_et_delais_de_recours }}\n",
)

WARNING = (
    "Avertissement : assiduité scolaire de {{ enfant.prenoms }} {{ enfant.nom }}",
    _RECIPIENT
    + """<p>Madame, Monsieur,</p>
<p>L'établissement où est inscrit votre enfant {{ enfant.prenoms }} {{ enfant.nom }} m'a signalé des
absences sans motif légitime ni excuse valable d'au moins quatre demi-journées dans le mois (article
L131-8 du code de l'éducation).</p>
<p>Après la réunion de l'équipe éducative ou de la commission éducative prévue à l'article R131-7 du
code de l'éducation, je vous adresse le présent avertissement et vous rappelle vos obligations : les
personnes responsables d'un enfant veillent à son assiduité et font connaître sans délai au directeur
de l'école ou au chef d'établissement les motifs de ses absences (article L131-8 du code de
l'éducation). Les sanctions pénales encourues sont celles de l'article R624-7 du code pénal.</p>
<p>Des dispositifs d'accompagnement peuvent vous être proposés ; l'établissement et le service social
se tiennent à votre disposition.</p>
"""
    + _DSDEN_CLOSING,
)

IEF_AUTHORISATION = (
    "Autorisation d'instruction dans la famille de {{ enfant.prenoms }} {{ enfant.nom }}",
    _RECIPIENT
    + """<p>Madame, Monsieur,</p>
<p>Vous avez demandé l'autorisation d'instruire dans la famille votre enfant {{ enfant.prenoms }}
{{ enfant.nom }}, {{ enfant.ne_ou_nee }} le {{ enfant.date_naissance }} (articles L131-5 et R131-11 et
suivants du code de l'éducation).</p>
<p>Cette autorisation vous est accordée pour l'année scolaire en cours. Accordée pour l'état de santé
de l'enfant ou son handicap, elle peut valoir jusqu'à trois années scolaires (article L131-5 du code
de l'éducation). Elle doit être demandée à nouveau à son terme.</p>
<p>Le maire de la commune fait une enquête dès la première année, puis tous les deux ans (article L131-10
du code de l'éducation). Les services de l'Éducation nationale contrôlent l'instruction donnée, une
première fois à partir du troisième mois suivant la délivrance de l'autorisation, et au moins une fois
par an (article L131-10 du code de l'éducation).</p>
"""
    + _DSDEN_CLOSING,
)

IEF_REFUSAL = (
    "Refus d'autorisation d'instruction dans la famille de {{ enfant.prenoms }} {{ enfant.nom }}",
    """<p><strong>Lettre recommandée avec avis de réception</strong></p>
"""
    + _RECIPIENT
    + """<p>Madame, Monsieur,</p>
<p>Vous avez demandé l'autorisation d'instruire dans la famille votre enfant {{ enfant.prenoms }}
{{ enfant.nom }}, {{ enfant.ne_ou_nee }} le {{ enfant.date_naissance }} (articles L131-5 et R131-11 et
suivants du code de l'éducation).</p>
<p><strong>Cette autorisation vous est refusée</strong>, pour les motifs suivants.</p>
{{ motifs }}
<p>Votre enfant doit être inscrit dans un établissement d'enseignement public ou privé (article L131-1
et L131-5 du code de l'éducation).</p>
"""
    + _DSDEN_CLOSING
    + "{{ voies_et_delais_de_recours }}\n",
)

IEF_WITHDRAWAL = (
    "Retrait de l'autorisation d'instruction dans la famille de {{ enfant.prenoms }} {{ enfant.nom }}",
    """<p><strong>Lettre recommandée avec avis de réception</strong></p>
"""
    + _RECIPIENT
    + """<p>Madame, Monsieur,</p>
<p>Votre enfant {{ enfant.prenoms }} {{ enfant.nom }}, {{ enfant.ne_ou_nee }} le
{{ enfant.date_naissance }}, est instruit dans la famille sur autorisation (article L131-5 du code de
l'éducation). <strong>Cette autorisation vous est retirée</strong>, pour les motifs suivants
(article L131-10 du code de l'éducation).</p>
{{ motifs }}
<p>Votre enfant doit être inscrit dans un établissement d'enseignement public ou privé.</p>
"""
    + _DSDEN_CLOSING
    + "{{ voies_et_delais_de_recours }}\n",
)

_PREFECT_CLOSING = """<p>Le directeur académique des services de l'Éducation nationale et le maire de
{{ commune.nom }} sont informés de la présente décision.</p>
"""

UNDECLARED_SCHOOL_CLOSURE = (
    "Cessation de l'accueil des enfants et fermeture des locaux (école de fait)",
    _ESTABLISHMENT
    + """<p>Des enfants sont accueillis aux fins d'enseignement dans des locaux qui n'ont fait l'objet
d'aucune déclaration d'ouverture d'un établissement d'enseignement privé, ou en dépit d'une opposition
(articles L441-1 et L441-3-1 du code de l'éducation). Après avis du directeur académique des services
de l'Éducation nationale, pour les motifs suivants :</p>
{{ motifs }}
<p><strong>il est ordonné de cesser d'accueillir ces enfants et de fermer les locaux utilisés</strong>
(article L441-3-1 du code de l'éducation).</p>
<p>Le fait d'ouvrir un établissement d'enseignement sans déclaration ou en dépit d'une opposition est
puni d'un an d'emprisonnement et de 15 000 euros d'amende (article L441-4 du code de l'éducation). Les
parents des enfants accueillis seront mis en demeure de les inscrire dans un établissement
d'enseignement dans un délai de quinze jours.</p>
"""
    + _PREFECT_CLOSING
    + "{{ voies_et_delais_de_recours }}\n",
)

PRIVATE_SCHOOL_CLOSURE = (
    "Fermeture d'un établissement d'enseignement privé hors contrat",
    _ESTABLISHMENT
    + """<p>L'établissement d'enseignement privé hors contrat désigné ci-dessous a fait l'objet d'un
contrôle et d'une mise en demeure de son directeur (article L442-2 du code de l'éducation). Pour les
motifs suivants :</p>
{{ motifs }}
<p><strong>la fermeture de l'établissement est ordonnée</strong> (article L442-2, IV, du code de
l'éducation). Le fait de ne pas fermer l'établissement en dépit de cette décision est puni d'un an
d'emprisonnement et de 75 000 euros d'amende (article 227-17-1 du code pénal).</p>
"""
    + _PREFECT_CLOSING
    + "{{ voies_et_delais_de_recours }}\n",
)

OPENING_OPPOSITION = (
    "Opposition à l'ouverture d'un établissement d'enseignement privé",
    _ESTABLISHMENT
    + """<p>Vous avez déclaré l'ouverture d'un établissement d'enseignement privé (article L441-1 du code
de l'éducation). Dans le délai de trois mois qui suit cette déclaration, <strong>il est formé
opposition à cette ouverture</strong>, pour les motifs suivants :</p>
{{ motifs }}
<p>L'établissement ne peut pas ouvrir. L'ouvrir en dépit de cette opposition est puni d'un an
d'emprisonnement et de 15 000 euros d'amende (article L441-4 du code de l'éducation).</p>
"""
    # Signed by the mayor, the DASEN or the préfet (L441-1 II): no closing naming who is informed.
    + "{{ voies_et_delais_de_recours }}\n",
)

PROSECUTOR_REFERRAL = (
    "Signalement d'un enfant soumis à l'obligation d'instruction — dossier n° {{ dossier.numero }}",
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
      n° {{ dossier.numero }}, ouvert le {{ dossier.ouvert_le }} ({{ dossier.domaine }}).</li>
</ul>
<p>Les étapes du dossier ont été les suivantes :</p>
{{ dossier.historique }}
{% if dossier.mise_en_demeure_notifiee_le %}<p>La mise en demeure d'inscrire l'enfant, notifiée aux
personnes responsables le {{ dossier.mise_en_demeure_notifiee_le }}, est restée sans effet à l'expiration
du délai de quinze jours. Ces faits sont susceptibles de constituer l'infraction prévue à l'article
227-17-1 du code pénal.</p>{% endif %}
<p>Les pièces du dossier (courriers adressés à la famille, comptes rendus de la cellule) sont à votre
disposition.</p>
<p>Je vous prie d'agréer, Madame ou Monsieur le procureur de la République, l'expression de ma haute
considération.</p>
""",
)

MAYOR_ENQUIRY = (
    "Enquête de la mairie sur l'instruction dans la famille de {{ enfant.prenoms }} {{ enfant.nom }}",
    """<p>Enquête prévue par l'article L131-10 du code de l'éducation (rédaction en vigueur depuis le
1er septembre 2022) : dès la première année d'instruction dans la famille, puis tous les deux ans, la
mairie fait une enquête, uniquement aux fins d'établir la réalité des motifs avancés par les personnes
responsables de l'enfant pour obtenir l'autorisation d'instruction dans la famille, et de s'assurer que
l'instruction est donnée dans la mesure compatible avec l'état de santé de l'enfant et les conditions de
vie de la famille. Le résultat de l'enquête est communiqué au directeur académique des services de
l'Éducation nationale et aux personnes responsables de l'enfant. Si la mairie ne la fait pas, le préfet
la fait faire.</p>
<h2>L'enfant</h2>
<p>Nom : {{ enfant.nom }} — Prénoms : {{ enfant.prenoms }} — {{ enfant.ne_ou_nee|capfirst }} le
{{ enfant.date_naissance }} ({{ enfant.age }} ans)</p>
<h2>Les personnes responsables</h2>
<p>{{ responsable.prenom }} {{ responsable.nom }}, {{ responsable.adresse }}, {{ responsable.code_postal }}
{{ responsable.ville }}</p>
<h2>Enquête</h2>
<p>Date de la visite ou de l'entretien :</p><div class="champ"></div>
<p>Motif de l'autorisation avancé par les personnes responsables (état de santé ou handicap ; pratique
sportive ou artistique intensive ; itinérance ou éloignement ; situation propre à l'enfant motivant le
projet éducatif) et constats sur sa réalité :</p><div class="champ"></div><div class="champ"></div>
<p>Attestation de suivi médical fournie par la famille : oui / non</p><div class="champ"></div>
<p>Personne(s) qui assure(nt) l'instruction :</p><div class="champ"></div>
<p>Conditions de vie de la famille et lieu où l'instruction est donnée :</p>
<div class="champ"></div><div class="champ"></div>
<p>L'instruction est-elle donnée dans la mesure compatible avec l'état de santé de l'enfant et les
conditions de vie de la famille ? Observations :</p><div class="champ"></div><div class="champ"></div>
<p>Enquête réalisée par (nom et qualité) :</p><div class="champ"></div>
<p class="reference">Dossier n° {{ dossier.numero }} — résultat à communiquer au directeur académique
des services de l'Éducation nationale et aux personnes responsables de l'enfant (courrier « Résultat de
l'enquête de la mairie »).</p>
""",
)

MAYOR_ENQUIRY_RESULT = (
    "Résultat de l'enquête de la mairie sur l'instruction dans la famille de {{ enfant.prenoms }} "
    "{{ enfant.nom }}",
    _RECIPIENT
    + """<p>Madame, Monsieur,</p>
<p>La mairie de {{ commune.nom }} a fait l'enquête prévue par l'article L131-10 du code de l'éducation
sur l'instruction dans la famille de {{ enfant.prenoms }} {{ enfant.nom }}, {{ enfant.ne_ou_nee }} le
{{ enfant.date_naissance }}. Comme le prévoit cet article, son résultat vous est communiqué, ainsi
qu'au directeur académique des services de l'Éducation nationale :</p>
{{ motifs }}
<p>Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.</p>
<p class="reference">Copie : direction des services départementaux de l'Éducation nationale.</p>
""",
)

DEFAULT_TEMPLATES: dict[LetterKind, tuple[str, str]] = {
    LetterKind.INFORMATION: INFORMATION,
    LetterKind.CONVOCATION: CONVOCATION,
    LetterKind.MAYOR_ENQUIRY: MAYOR_ENQUIRY,
    LetterKind.MAYOR_ENQUIRY_RESULT: MAYOR_ENQUIRY_RESULT,
    LetterKind.PROSECUTOR_REFERRAL: PROSECUTOR_REFERRAL,
    LetterKind.WARNING: WARNING,
    LetterKind.FORMAL_NOTICE: FORMAL_NOTICE,
    LetterKind.PARENTS_FORMAL_NOTICE: PARENTS_FORMAL_NOTICE,
    LetterKind.DIRECTOR_FORMAL_NOTICE: DIRECTOR_FORMAL_NOTICE,
    LetterKind.IEF_AUTHORISATION: IEF_AUTHORISATION,
    LetterKind.IEF_REFUSAL: IEF_REFUSAL,
    LetterKind.IEF_WITHDRAWAL: IEF_WITHDRAWAL,
    LetterKind.UNDECLARED_SCHOOL_CLOSURE: UNDECLARED_SCHOOL_CLOSURE,
    LetterKind.PRIVATE_SCHOOL_CLOSURE: PRIVATE_SCHOOL_CLOSURE,
    LetterKind.OPENING_OPPOSITION: OPENING_OPPOSITION,
}
