"""A synthetic commune with ground truth: the yardstick of the matching engine.

``generate_commune(n, seed=...)`` builds the CAF/MSA children files of a commune (a priority
neighbourhood of a large Nord city) and the schooling lists of the same school year, and records
for each child what really happened (``truth``). ``write_commune`` writes them in the files a cell
receives (``shared/formats/FORMAT.md``): ``enfants_caf.csv`` (Windows-1252, ``;``, CRLF, JJ/MM/AAAA),
``enfants_msa.csv`` (UTF-8 with BOM, ``;``), ``scolarite_<source>.csv`` (UTF-8, ``,``; dates
AAAA-MM-JJ for ONDE, CNED and MEDICO_SOCIAL, JJ/MM/AAAA for SIECLE and IEF, both row by row for
PRIVE, compiled from several schools' exports) and ``verite.csv``. Everything is deterministic for a
seed (one ``random.Random`` stream, no iteration over sets of strings).

Population (rates in ``generator.RATES``, some replaceable through ``generate_commune(rates=...)`` for a
harder commune, as the web demo does; figures measured at n = 10,000 with the default rates):
- Households of 1 to 7 children (mean ~1.8; 49 % single child), claimant id ``0412345-01`` (CAF,
  ~93 %) or ``M-88812-1`` (MSA, ~7 %). Births spaced 14-100 months, 9 % only 9-13 months after the
  previous one (tag ``fratrie_rapprochee``); twins 1.5 % of births (``jumeau``), triplets 0.03 %
  (``triple``); 30 % of twin pairs get confusable first names (Louis/Louise, Adam/Adama, Ilyes/Ilyas,
  ``jumeaux_prenoms_proches``).
- Ages: the file holds the children born from 2005-2006 to the year before the first compulsory one
  (2024 for 2026-2027), older teenagers thinning out as the claim stops: ~15 % are outside
  compulsory instruction (``hors_obligation``: toddlers born 2024, 16-20 year-olds). Compulsory =
  born in (first year - 3) or before and not 16 at the 1 September rentrée.
- Origins of households: French (incl. Flemish Nord) 40 %, Maghrebi 29 %, West African 13 %,
  Portuguese, Turkish, Eastern European 5 % each, Vietnamese 3 %; 15 % mixed couples; 18 % of
  children of every origin get a first name of the French pool. Names are drawn with Zipf weights
  from ordered pools (``names.py``: ~40-120 first names per origin and sex, ~6,700 surnames incl.
  syllable-generated ones), so NGUYEN, MARTIN, HADDAD, Gabriel, Emma, Mohamed repeat a lot (homonyms,
  tag ``homonyme`` when another child of the commune has the same surname and first first name).
  Names are invented combinations of common names.
- First names: 22 % have a second one, 6 % a third (``Yanis Karim``); 8 % of those are written with
  commas in the CAF file (``prenoms_virgule``); 3.5 % compound (``Louis-Marie``).
- Surnames: 5 % of households give a double surname (``MARTIN-DIALLO`` or ``MARTIN DIALLO``), 12 %
  the mother's; the claimant (``nom_allocataire``) is the mother in 88 % of households, so it often
  differs from the child's surname. Half the CAF agencies drop accents; MSA rows are mixed case 35 %.
- Sex missing in the CAF file 2 % (``sexe_absent_caf``).

Schooling records, as the school retyped them (tags on the child in the truth):
- Surname: double surname reduced to one part 30 % (``nom_double_partiel``), swapped 5 %
  (``nom_double_inverse``), other separator 15 % (``nom_double_separateur``); the other parent's
  surname as usage name 1.5 % (``nom_usage_autre_parent``); particle glued/spaced 15 % of the names
  having one (BEN AHMED/BENAHMED, N'DIAYE/NDIAYE, DA SILVA/DASILVA: ``particule``); one-letter typo
  3 % (``faute_nom``); accents dropped 70 %, upper case 92 %.
- First names: the school keeps the first one (84 %), all (10 %) or the second (6 %,
  ``prenoms_multiples_second``); a compound one spaced 25 %, glued 10 %, truncated 10 %
  (``prenom_compose_espace|colle|tronque``); another transliteration 15 % of the names having one
  (Mohamed/Mohammed/Muhammad, Youssef/Youcef, Aïcha/Aisha, ``translitteration``); typo 3 %
  (``faute_prenom``); accents and case vary.
- Surname and first names typed in each other's column 0.4 % (``nom_prenom_inverses``; an assumed
  rate, drawn from a stream of its own so that the other draws stay as they were).
- Birth date: day and month swapped 3 % of the dates where that is possible, ~1.2 % overall
  (``inversion_jour_mois``); one digit mistyped 1.5 % (``chiffre_date``); year off by one 0.5 %
  (``annee_decalee``); every date stays a valid one.
- Sex missing 10 % (``sexe_absent_scolarite``), wrong 0.3 % (``sexe_errone``).
- Address: the household's retyped (upper case, no accents, R./AV/BD/ALL/PL/IMP, ``12B`` for
  ``12 bis``, ``12,``, apartment dropped); the other parent's for 45 % of the records of the 10 % of
  separated households (``adresse_autre_parent``); the previous one for 70 % of the records of the
  10 % of households who moved since enrolment (``adresse_ancienne``); empty 4 % (``adresse_absente``).
- Level from the birth year (PS for born first year - 3 ... TLE), one year behind 4 % in primary and
  10 % in secondary (``retard_scolaire``), ahead 0.5 %; TPS for 4 % of the 2-year-olds.
- Sources: ONDE (PS-CM2) or SIECLE (6E-TLE); PRIVE for the 17 % of households in private schools
  (15 % of those pupils also in ONDE/SIECLE); MEDICO_SOCIAL 0.7 % (25 % also in a school), CNED
  0.5 % (25 % also in a school), IEF 0.5 % (20 % also CNED, no establishment): ``double_inscription``.
  16-19 year-olds are in lycée with probability 85/75/40/8 %.
- Other communes: 12 % of all schooling records are pupils living elsewhere, 20 % of them
  homonyms of a child of the commune (same surname and first name, another birth date in the same
  year or 7-16 months away: ``homonyme_autre_commune``).

Unschooled (``non_scolarise``, 1.3-1.7 % of compulsory-age children, drawn each run): 2 % are a twin
whose twin is schooled (``jumeau_seul_non_scolarise``), 4 % a child whose sibling born 9-13 months
earlier is schooled (``frere_soeur_proche_scolarise``), 8 % whole families (``fratrie_non_scolarisee``),
12 % frequent names whose schooled homonym lives in another commune, the rest across all ages and
origins (weighted up at 3 and at 14-15). Other twins are never unschooled alone.

Calibration (``scoring.score_flags``, 4 seeds at n = 10,000): the spreadsheet lookup
(``shared/anchors/exact_join.py``) flags ~29 % of the children; generic Splink
(``generic_splink.py``) finds ~93 % of the unschooled, with ~54 % of its ``non_trouve`` really
unschooled and ~1.3 % ``incertain`` — the region the maintainers measured on their commune.
"""

from veille.synth.generator import RATES, SyntheticCommune, generate_commune
from veille.synth.writer import write_commune

__all__ = ["RATES", "SyntheticCommune", "generate_commune", "write_commune"]
