"""The ``veille`` command: French messages, exit status 0 on success and 2 on bad input."""

from __future__ import annotations

import argparse
import functools
import gc
import getpass
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

if TYPE_CHECKING:
    from veille.compulsory import SchoolYear
    from veille.matching.monthly import MonthlyState, StateError
    from veille.sources import FileReport

EXIT_OK = 0
EXIT_BAD_INPUT = 2
PASSWORD_ENV = "VEILLE_MOT_DE_PASSE"


class FrenchHelpFormatter(argparse.HelpFormatter):
    """argparse's help in French: its one English word of the usage line."""

    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, prefix="utilisation : " if prefix is None else prefix)


class FrenchParser(argparse.ArgumentParser):
    """argparse speaks English: its help and errors are rephrased for the agents who read them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", FrenchHelpFormatter)
        add_help = kwargs.pop("add_help", True)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        if add_help:
            self.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")

    def error(self, message: str) -> NoReturn:
        message = (
            message.replace("the following arguments are required", "arguments obligatoires manquants")
            .replace("unrecognized arguments", "arguments inconnus")
            .replace("expected at least one argument", "il faut au moins un fichier")
            .replace("invalid int value", "nombre entier attendu, reçu")
            .replace("argument ", "option ")
            .replace("invalid choice", "choix inconnu")
            .replace("choose from", "choix possibles :")
        )
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog} : erreur : {message}\n")


class Steps:
    """Numbered steps with a bar on the terminal, for the long parts of a crossing."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.done, self.stream = total, 0, stream
        self.started = time.perf_counter()
        self.tty = stream.isatty()

    def __call__(self, label: str) -> None:
        self.done = min(self.done + 1, self.total)
        width = 20
        filled = width * self.done // self.total
        bar = "█" * filled + "░" * (width - filled)
        elapsed = time.perf_counter() - self.started
        line = f"[{bar}] {self.done}/{self.total} {label}… ({elapsed:.0f} s)"
        self.stream.write(("\r\033[K" if self.tty else "") + line + ("" if self.tty else "\n"))
        self.stream.flush()

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
        self.stream.flush()

    def warn(self, warnings: Sequence[str]) -> None:
        """Print the warnings of the files read, each on its own line below the bar."""
        if warnings:
            self.finish()
            print("\n".join(f"Attention : {warning}" for warning in warnings), file=self.stream)

    def fail(self, error: object) -> int:
        """End the bar, print the French error below it, and return the exit status of bad input."""
        self.finish()
        print(f"\nErreur : {error}", file=self.stream)
        return EXIT_BAD_INPUT


def without_cycle_collection(
    command: Callable[[argparse.Namespace], int],
) -> Callable[[argparse.Namespace], int]:
    """Run a batch command with Python's cycle collector paused, as it was found afterwards.

    A crossing builds millions of short-lived objects (names, lists of tokens, frames) and frees them
    by reference counting; the collector, run again and again over everything still alive, found
    next to nothing and took a tenth of a crossing of 10,000 children. Peak memory is unchanged at
    100,000 children (``bench/RESULTS.md``). Batch commands only: a server runs for days.
    """

    @functools.wraps(command)
    def paused(args: argparse.Namespace) -> int:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return command(args)
        finally:
            if was_enabled:
                gc.enable()

    return paused


def _password_provider(archive: str) -> str:
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        from veille.sources import PasswordRequired

        raise PasswordRequired(
            f"L'archive {archive} est chiffrée. Donnez son mot de passe dans la variable "
            f"d'environnement {PASSWORD_ENV}, ou lancez la commande dans un terminal pour le saisir."
        )
    return getpass.getpass(f"Mot de passe de l'archive {archive} : ")


def school_year(args: argparse.Namespace) -> SchoolYear:
    """The year of ``--annee-scolaire``, else the current one; a French ``ValueError`` if unreadable."""
    from veille.compulsory import SchoolYear

    return SchoolYear.parse(args.annee_scolaire) if args.annee_scolaire else SchoolYear.current()


def check_engine(engine: str) -> None:
    """Raise a French ``ValueError`` unless the engine of ``--moteur`` can start on this machine.

    Checked before any file is read: a department's files take minutes to read, and Java's absence
    is known at once.
    """
    if engine != "spark":
        return
    from veille.matching.backends import BackendUnavailable, check_spark

    try:
        check_spark()
    except BackendUnavailable as error:
        raise ValueError(str(error)) from error


def saved_model(path: str | None) -> Any:
    """The Splink model of ``--modele`` (``None`` without it); a French ``ValueError`` if unreadable."""
    if not path:
        return None
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))["splink"]
    except (OSError, ValueError, KeyError) as error:
        raise ValueError(f"le modèle « {path} » est illisible ({error}).") from error


@without_cycle_collection
def croiser(args: argparse.Namespace) -> int:
    if args.chiffre:
        from veille.pprl.commands import croiser_chiffre

        return croiser_chiffre(args)
    from veille.matching import cross
    from veille.outputs import InputFile, fingerprint, summary, summary_text, write_outputs, write_summary
    from veille.sources import SourceError, read_children_files, read_schooling_files, write_rejects

    try:
        year = school_year(args)
        check_engine(args.moteur)
    except ValueError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    out_dir = Path(args.sortie)
    started = time.perf_counter()
    steps = Steps(6, sys.stderr)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # Last month's state is read meanwhile: Arrow decompresses it without Python's lock, which the
        # files' parsing holds (a fifth of a second at 100,000 children). Its errors come after theirs.
        state = None if not args.precedent else pool.submit(_previous_state, args.precedent)
        try:
            steps("Lecture des fichiers enfants")
            children = read_children_files(
                args.enfants, password=_password_provider, skip_invalid=args.ignorer_lignes_invalides
            )
            steps("Lecture des fichiers de scolarité")
            schooling = read_schooling_files(
                args.scolarite, password=_password_provider, skip_invalid=args.ignorer_lignes_invalides
            )
        except SourceError as error:
            return steps.fail(error)
        read_seconds = time.perf_counter() - started
        waited = time.perf_counter()
        previous = None if state is None else state.result()
        state_seconds = None if state is None else round(time.perf_counter() - waited, 3)
    warnings = [
        f"{report.fichier} : {warning}"
        for report in (*children.files, *schooling.files)
        for warning in report.warnings
    ]
    steps.warn(warnings)
    rejects = [*children.rejects, *schooling.rejects]
    if rejects:
        out_dir.mkdir(parents=True, exist_ok=True)
        write_rejects(out_dir / "lignes_rejetees.csv", rejects)

    try:
        model = saved_model(args.modele)
    except ValueError as error:
        return steps.fail(error)
    if isinstance(previous, Exception):
        return steps.fail(previous)
    result = cross(
        children.table,
        schooling.table,
        school_year=year,
        progress=steps,
        model=model,
        previous=previous,
        backend=args.moteur,
    )
    steps.finish()
    # A school's file left out of this month's: said before the lists, which its pupils would swell.
    steps.warn([school.message() for school in result.vanished])
    inputs = [
        InputFile(str(path), kind, _rows(report_list, path), fingerprint(path))
        for kind, paths, report_list in (
            ("enfants", args.enfants, children.files),
            ("scolarite", args.scolarite, schooling.files),
        )
        for path in paths
    ]
    timings = {"lecture": round(read_seconds, 3), **result.timings.steps}
    if state_seconds is not None:
        timings = {"lecture": timings.pop("lecture"), "etat du mois precedent": state_seconds, **timings}
    writing = time.perf_counter()
    synthesis = summary(result, schooling.table, inputs, timings)
    synthesis["lignes_rejetees"] = len(rejects)
    if previous is not None:
        synthesis["etablissements_en_baisse"] = [school.as_dict() for school in result.vanished]
    paths = write_outputs(result, out_dir, synthesis, previous=previous)
    timings["ecriture"] = round(time.perf_counter() - writing, 3)
    timings["total"] = round(time.perf_counter() - started, 3)
    write_summary(paths["synthese"], synthesis)
    print(summary_text(synthesis, paths))
    if previous is not None:
        print(f"  changements         : {out_dir / 'changements.csv'}")
        for kind, count in synthesis["changements"].items():
            print(f"    {kind:<38} {count:>8}")
        if result.vanished:
            schools = ", ".join(school.uai or school.source for school in result.vanished)
            print(
                f"    attention : inscriptions disparues depuis le mois dernier ({schools}), voir ci-dessus"
            )
    if rejects:
        print(f"  lignes rejetées     : {out_dir / 'lignes_rejetees.csv'} ({len(rejects)} lignes)")
    return EXIT_OK


def _previous_state(folder: str) -> MonthlyState | StateError:
    """Last month's state (``croiser --precedent``), or why it cannot be read."""
    from veille.matching.monthly import MonthlyState, StateError

    try:
        return MonthlyState.read(folder)
    except StateError as error:
        return error


#: what a commune's folder is named: its INSEE code, then anything (``59350``, ``59350_Lille``)
COMMUNE_FOLDER = r"^((?:\d{2}|2[AB])\d{3})(?:[ _.-].*)?$"


def commune_folders(root: Path) -> list[tuple[str, Path]]:
    """The (INSEE code, folder) of each commune in ``--communes``; a French ``ValueError`` if unclear.

    One folder per commune, named by its INSEE code (optionally followed by ``_`` and its name), holding
    that commune's children files; hidden files (``.DS_Store``…) are not data and are passed over.
    """
    import re

    example = f"{root / '59350_Lille' / 'enfants_caf.csv'}"
    if not root.exists():
        raise ValueError(f"le dossier des communes « {root} » est introuvable. Vérifiez le chemin.")
    if not root.is_dir():
        raise ValueError(
            f"« {root} » est un fichier : --communes attend un dossier qui contient un dossier par commune, "
            f"nommé par son code INSEE, avec ses fichiers enfants (par exemple {example})."
        )
    found: dict[str, Path] = {}
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        if not entry.is_dir():
            raise ValueError(
                f"« {entry.name} » est directement dans le dossier des communes « {root} » : rangez chaque "
                f"fichier enfants dans le dossier de sa commune (par exemple {example})."
            )
        match = re.match(COMMUNE_FOLDER, entry.name)
        if match is None:
            raise ValueError(
                f"le dossier « {entry.name} » (dans « {root} ») ne commence pas par le code INSEE d'une "
                "commune (cinq caractères : 59350, 2A004, 97411). Renommez-le, par exemple « 59350_Lille »."
            )
        code = match.group(1)
        if code in found:
            raise ValueError(
                f"les dossiers « {found[code].name} » et « {entry.name} » désignent la même commune "
                f"({code}) : réunissez ses fichiers enfants dans un seul dossier."
            )
        files = [child for child in sorted(entry.iterdir()) if not child.name.startswith(".")]
        inner = [child for child in files if child.is_dir()]
        if inner:
            raise ValueError(
                f"le dossier de la commune {code} (« {entry.name} ») contient un sous-dossier "
                f"(« {inner[0].name} ») : mettez ses fichiers enfants directement dans « {entry.name} »."
            )
        if not files:
            raise ValueError(
                f"le dossier de la commune {code} (« {entry.name} ») ne contient aucun fichier enfants "
                "(CAF, MSA). Ajoutez-les, ou retirez ce dossier."
            )
        found[code] = entry
    if not found:
        raise ValueError(
            f"le dossier des communes « {root} » ne contient aucun dossier de commune : créez un dossier par "
            f"commune, nommé par son code INSEE, avec ses fichiers enfants (par exemple {example})."
        )
    return list(found.items())


@without_cycle_collection
def croiser_departement(args: argparse.Namespace) -> int:
    """One crossing for all the communes of a department, one output folder per commune."""
    from veille.matching import CommuneChildren, Status, cross_department
    from veille.outputs import (
        InputFile,
        department_summary,
        fingerprint,
        summary,
        write_department_summary,
        write_outputs,
        write_summary,
    )
    from veille.sources import SourceError, read_children_files, read_schooling_files, write_rejects

    try:
        year = school_year(args)
        folders = commune_folders(Path(args.communes))
        check_engine(args.moteur)
    except ValueError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    out_dir = Path(args.sortie)
    started = time.perf_counter()
    steps = Steps(len(folders) + 6, sys.stderr)
    communes = []
    reads = {}
    try:
        for code, folder in folders:
            steps(f"Lecture des fichiers enfants de la commune {code}")
            paths = [str(path) for path in sorted(folder.iterdir()) if not path.name.startswith(".")]
            try:
                read = read_children_files(
                    paths, password=_password_provider, skip_invalid=args.ignorer_lignes_invalides
                )
            except SourceError as error:
                raise SourceError(
                    f"commune {code} (dossier « {folder.name} ») : {error}", error.problems
                ) from None
            reads[code] = (folder, paths, read)
            communes.append(CommuneChildren(code, read.table, name=_commune_name(folder.name, read.table)))
        steps("Lecture des fichiers de scolarité du département")
        schooling = read_schooling_files(
            args.scolarite, password=_password_provider, skip_invalid=args.ignorer_lignes_invalides
        )
    except SourceError as error:
        return steps.fail(error)
    read_seconds = time.perf_counter() - started
    warnings = [
        f"commune {code} : {report.fichier} : {warning}"
        for code, (_, _, read) in reads.items()
        for report in read.files
        for warning in report.warnings
    ] + [f"{report.fichier} : {warning}" for report in schooling.files for warning in report.warnings]
    steps.warn(warnings)
    try:
        model = saved_model(args.modele)
    except ValueError as error:
        return steps.fail(error)
    run = cross_department(
        communes, schooling.table, school_year=year, progress=steps, model=model, backend=args.moteur
    )
    steps("Écriture des résultats de chaque commune")
    timings = {"lecture": round(read_seconds, 3), **run.timings.steps}
    schooling_inputs = [
        InputFile(str(path), "scolarite", _rows(schooling.files, path), fingerprint(path))
        for path in args.scolarite
    ]
    written: dict[str, Path] = {}
    children_inputs: dict[str, list[InputFile]] = {}
    for code, (folder, paths, read) in reads.items():
        commune = run.communes[code]
        target = out_dir / folder.name
        children_inputs[code] = [
            InputFile(path, "enfants", _rows(read.files, path), fingerprint(path)) for path in paths
        ]
        synthesis = summary(
            commune.result, schooling.table, [*children_inputs[code], *schooling_inputs], timings
        )
        synthesis["lignes_rejetees"] = len(read.rejects)
        synthesis["croisement_departemental"] = {
            "code_commune": code,
            "communes": len(reads),
            "candidats_non_montres": commune.withheld_candidates,
        }
        if read.rejects:
            target.mkdir(parents=True, exist_ok=True)
            write_rejects(target / "lignes_rejetees.csv", read.rejects)
        paths_out = write_outputs(commune.result, target, synthesis)
        write_summary(paths_out["synthese"], synthesis)
        written[code] = target
    if schooling.rejects:
        out_dir.mkdir(parents=True, exist_ok=True)
        write_rejects(out_dir / "lignes_rejetees_scolarite.csv", schooling.rejects)
    timings["total"] = round(time.perf_counter() - started, 3)
    department = department_summary(
        run,
        {code: folder.name for code, folder in folders},
        children_inputs,
        schooling_inputs,
        timings,
        engine=args.moteur,
        rejected={
            "enfants": sum(len(read.rejects) for _, _, read in reads.values()),
            "scolarite": len(schooling.rejects),
        },
    )
    summary_paths = write_department_summary(out_dir, department)
    steps.finish()
    statuses = (Status.MATCHED, Status.UNCERTAIN, Status.UNFOUND, Status.OUT_OF_SCOPE)
    lines = [
        f"Croisement départemental terminé — année scolaire {run.school_year}, {len(reads)} communes",
        f"Dossiers de scolarité du département : {run.n_records}, dont {run.records_matched} rapprochés "
        "(chacun d'un seul enfant du département)",
        "",
        f"{'commune':<10} {'enfants':>8} {'rapprochés':>11} {'à vérifier':>11} {'non trouvés':>12}  dossier",
    ]
    for code, target in written.items():
        commune = run.communes[code]
        matched, uncertain, unfound = (commune.count(status) for status in statuses[:3])
        size = len(commune.result.children)
        lines.append(f"{code:<10} {size:>8} {matched:>11} {uncertain:>11} {unfound:>12}  {target}")
    lines += [
        "",
        f"Durée : {timings['total']:.1f} s",
        "Synthèse départementale (sans données personnelles) : "
        f"{summary_paths['json']}, {summary_paths['csv']}",
    ]
    if run.shared_children:
        print(
            f"Attention : {run.shared_children} enfant(s) figurent dans les fichiers de deux communes ou "
            "plus (même organisme, même identifiant) : chacun est croisé dans chaque commune, et un "
            "dossier de scolarité ne va qu'à l'un d'eux. Vérifiez ces listes avec la CAF ou la MSA.",
            file=sys.stderr,
        )
    if schooling.rejects:
        lines.append(f"Lignes de scolarité rejetées : {out_dir / 'lignes_rejetees_scolarite.csv'}")
    print("\n".join(lines))
    return EXIT_OK


def _commune_name(folder: str, table: Any) -> str:
    """The commune's name: the folder's after its code, else the most frequent in its files."""
    rest = folder[5:].strip(" _.-")
    if rest:
        return rest.replace("_", " ")
    names = table["commune"][table["commune"] != ""]
    return str(names.mode().iloc[0]) if len(names) else ""


def _rows(reports: Sequence[FileReport], path: str) -> int:
    # given_path: the path as typed, also for each member of an archive.
    return sum(report.rows_kept for report in reports if str(report.given_path) == str(path))


def demo_donnees(args: argparse.Namespace) -> int:
    from veille.synth import generate_commune, write_commune

    if args.enfants < 1:
        print("Erreur : --enfants doit être un nombre positif.", file=sys.stderr)
        return EXIT_BAD_INPUT
    started = time.perf_counter()
    if args.communes:
        return _demo_department(args, started)
    commune = generate_commune(
        args.enfants,
        seed=args.graine,
        school_year=args.annee_scolaire,
        department_pupils=args.eleves_departement,
    )
    written = write_commune(commune, args.dossier, formats=args.formats)
    print(
        f"Commune synthétique de {args.enfants} enfants (graine {args.graine}) écrite en "
        f"{time.perf_counter() - started:.1f} s :"
    )
    for path in written.values():
        print(f"  {path}")
    print("Données entièrement fictives. La vérité (verite.csv) sert à mesurer la qualité du croisement.")
    return EXIT_OK


def _demo_department(args: argparse.Namespace, started: float) -> int:
    from veille.synth.department import department_sizes, generate_department, write_department

    if not 1 <= args.communes <= 99 or args.enfants < args.communes:
        print(
            "Erreur : --communes doit être entre 1 et 99, et --enfants au moins égal au nombre de communes.",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    department = generate_department(
        department_sizes(args.enfants, args.communes),
        seed=args.graine,
        school_year=args.annee_scolaire,
        department_pupils=args.eleves_departement,
    )
    write_department(department, args.dossier)
    out = Path(args.dossier)
    print(
        f"Département synthétique de {len(department.communes)} communes, {department.n_children} enfants et "
        f"{department.n_records} dossiers de scolarité (graine {args.graine}) écrit en "
        f"{time.perf_counter() - started:.1f} s :"
    )
    print(f"  communes (un dossier par commune) : {out / 'communes'}")
    print(f"  scolarité du département          : {out / 'scolarite'}")
    print(f"  vérité                            : {out / 'verite.csv'}")
    print(
        f"Croisez-le : veille croiser-departement --communes {out / 'communes'} "
        f"--scolarite {out / 'scolarite'}/*.csv --sortie {out / 'resultats'} "
        f"--annee-scolaire {args.annee_scolaire}"
    )
    print("Données entièrement fictives. La vérité (verite.csv) sert à mesurer la qualité du croisement.")
    return EXIT_OK


def _setup_django() -> str | None:
    """Connect to the web application's database; a French message instead of a crash if impossible."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veille.web.settings")
    if (
        os.environ["DJANGO_SETTINGS_MODULE"] == "veille.web.settings"
        and not os.environ.get("VEILLE_SECRET_KEY")
        and not os.environ.get("VEILLE_DEBUG")
    ):
        return (
            "la variable d'environnement VEILLE_SECRET_KEY n'est pas définie : c'est celle de "
            "l'application web, la commande en a besoin pour se connecter à sa base de données."
        )
    import django
    from django.apps import apps

    if not apps.ready:
        try:
            django.setup()
        except Exception as error:  # settings that cannot load: a message, not a traceback
            return f"la configuration de l'application web ne se charge pas ({type(error).__name__})."
    return None


def purger(args: argparse.Namespace) -> int:
    from datetime import date

    problem = _setup_django()
    if problem:
        print(f"Erreur : {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    from django.utils import timezone

    from veille.web.cellule.protection.purge import purge
    from veille.web.common.territories.models import Commune

    try:
        today = date.fromisoformat(args.date) if args.date else timezone.localdate()
    except ValueError:
        print(f"Erreur : date « {args.date} » illisible ; format attendu AAAA-MM-JJ.", file=sys.stderr)
        return EXIT_BAD_INPUT
    commune = None
    if args.commune:
        commune = Commune.objects.filter(slug=args.commune).first()
        if commune is None:
            print(f"Erreur : aucune commune n'a l'identifiant « {args.commune} ».", file=sys.stderr)
            return EXIT_BAD_INPUT
    report = purge(today=today, commune=commune, simulation=args.simulation)
    where = f" (commune {commune.slug})" if commune else ""
    if args.simulation:
        print(
            f"Simulation de la purge du {today:%d/%m/%Y}{where} : rien n'a été supprimé.\n"
            f"  {len(report.items)} enfant(s) seraient supprimé(s), "
            f"{report.cases} dossier(s) seraient rendus anonymes."
        )
    else:
        print(
            f"Purge du {today:%d/%m/%Y}{where} : {report.children} enfant(s) supprimé(s), "
            f"{report.cases} dossier(s) rendus anonymes (conservés pour les bilans)."
        )
    for item in report.items:
        cases = ", ".join(f"n° {pk}" for pk in item.case_ids) or "aucun"
        state = " — ÉCHEC, données intactes" if item.child_id in report.failed else ""
        print(f"  enfant n° {item.child_id} : {item.reason.label} ; dossiers : {cases}{state}")
    if report.failed:
        print(
            f"Erreur : {len(report.failed)} enfant(s) n'ont pas pu être supprimés ; relancez la commande "
            "et prévenez l'administrateur si l'échec persiste.",
            file=sys.stderr,
        )
        return 1
    return EXIT_OK


def demo_web(args: argparse.Namespace) -> int:
    if args.enfants < 1:
        print("Erreur : --enfants doit être un nombre positif.", file=sys.stderr)
        return EXIT_BAD_INPUT
    problem = _setup_django()
    if problem:
        print(f"Erreur : {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    from django.core.management import call_command
    from django.core.management.base import CommandError

    options = ["--enfants", str(args.enfants), "--graine", str(args.graine)]
    options += ["--annee-scolaire", args.annee_scolaire] + (["--force"] if args.force else [])
    try:
        call_command("demo_seed", *options)
    except CommandError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


def serveur(args: argparse.Namespace) -> int:
    from veille.web.demo.server import serve

    if args.production:
        if not os.environ.get("VEILLE_SECRET_KEY"):
            print(
                "Erreur : « veille serveur --production » demande la clé secrète de l'instance : définissez "
                "VEILLE_SECRET_KEY (voir docs/exploitation.md).",
                file=sys.stderr,
            )
            return EXIT_BAD_INPUT
        return serve(args.adresse, production=True)
    if not os.environ.get("VEILLE_DEBUG"):
        print(
            "Erreur : « veille serveur » sans --production est le serveur de démonstration et de "
            "développement ; lancez-le avec VEILLE_DEBUG=1. En production : « veille serveur --production » "
            "(gunicorn et l'exécuteur de tâches, voir docs/exploitation.md).",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    return serve(args.adresse)


def droit(args: argparse.Namespace) -> int:
    from veille import law

    sys.stdout.write(law.as_markdown() if args.format == "md" else law.as_csv())
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = FrenchParser(
        prog="veille",
        description="Veille : repérer les enfants soumis à l'obligation d'instruction qui ne sont "
        "scolarisés nulle part.",
    )
    commands = parser.add_subparsers(
        dest="commande", required=True, metavar="COMMANDE", parser_class=FrenchParser
    )

    crossing = commands.add_parser(
        "croiser",
        help="croiser les fichiers enfants (CAF, MSA) avec les fichiers de scolarité",
        description="Croise les fichiers enfants (CAF, MSA) avec les fichiers de scolarité et écrit la "
        "liste des enfants sans scolarité connue.",
    )
    crossing.add_argument(
        "--enfants",
        nargs="+",
        required=True,
        metavar="FICHIER",
        help="fichiers enfants : CSV, XLSX, ODS, Parquet, ou archive 7z chiffrée",
    )
    crossing.add_argument(
        "--scolarite",
        nargs="+",
        required=True,
        metavar="FICHIER",
        help="fichiers de scolarité (ONDE, SIECLE, privé, CNED, IEF, médico-social…)",
    )
    crossing.add_argument("--sortie", required=True, metavar="DOSSIER", help="dossier des résultats")
    crossing.add_argument(
        "--annee-scolaire",
        metavar="AAAA-AAAA",
        help="année scolaire de référence (par défaut : l'année en cours)",
    )
    crossing.add_argument(
        "--ignorer-lignes-invalides",
        action="store_true",
        help="écarter les lignes invalides au lieu de refuser le fichier ; elles sont "
        "écrites avec leur motif dans DOSSIER/lignes_rejetees.csv",
    )
    crossing.add_argument(
        "--modele",
        metavar="FICHIER",
        help="rejouer un croisement avec le modèle enregistré (modele.json) d'un précédent, "
        "au lieu d'en apprendre un nouveau",
    )
    crossing.add_argument(
        "--precedent",
        metavar="DOSSIER",
        help="mise à jour mensuelle : le dossier de sortie du croisement du mois précédent ; son modèle et "
        "ses paires inchangées sont repris, et DOSSIER_DE_SORTIE/changements.csv dit ce qui a changé",
    )
    crossing.add_argument(
        "--moteur",
        choices=("duckdb", "spark"),
        default="duckdb",
        help="où comparer les paires : duckdb (par défaut, sur cette machine) ou spark (un département, "
        "un pays : voir docs/echelle.md) ; le même modèle, les mêmes résultats",
    )
    crossing.add_argument(
        "--chiffre",
        action="store_true",
        help="croisement chiffré : --enfants et --scolarite sont des fichiers écrits par `veille encoder` "
        "(docs/croisement-chiffre.md)",
    )
    crossing.set_defaults(run=croiser)
    _department_parser(commands)
    _pprl_parsers(commands)

    demo = commands.add_parser(
        "demo-donnees",
        help="écrire une commune synthétique (données fictives) avec sa vérité",
        description="Écrit les fichiers d'une commune synthétique : enfants CAF/MSA, scolarité, vérité.",
    )
    demo.add_argument("dossier", metavar="DOSSIER", help="dossier où écrire les fichiers")
    demo.add_argument("--enfants", type=int, default=10_000, metavar="N", help="nombre d'enfants (10000)")
    demo.add_argument("--graine", type=int, default=1, metavar="S", help="graine du hasard (1)")
    demo.add_argument(
        "--eleves-departement",
        type=int,
        default=0,
        metavar="N",
        help="fichiers de scolarité de tout le département, d'environ N élèves (0 : ceux de la commune)",
    )
    demo.add_argument(
        "--communes",
        type=int,
        default=0,
        metavar="N",
        help="écrire un département de N communes (les --enfants répartis entre elles, de la ville au "
        "village) pour « veille croiser-departement » (0 : une seule commune)",
    )
    demo.add_argument("--annee-scolaire", default="2026-2027", metavar="AAAA-AAAA", help="(2026-2027)")
    demo.add_argument(
        "--formats",
        choices=("csv", "reels"),
        default="csv",
        help="csv : fichiers de scolarité au format d'échange de Veille (par défaut) ; reels : ONDE et "
        "SIECLE écrits comme les exportent les écoles (CSVExtraction.csv par école, "
        "ExportXML_ElevesSansAdresses.zip et ResponsablesAvecAdresses.xml par collège ou lycée)",
    )
    demo.set_defaults(run=demo_donnees)

    purge = commands.add_parser(
        "purger",
        help="supprimer les données des enfants arrivées à échéance (16 ans, déménagement)",
        description="Supprime les données personnelles des enfants après la fin de l'année scolaire de "
        "leurs 16 ans ou le départ de leur famille ; leurs dossiers restent, anonymes, pour les bilans. "
        "À lancer chaque jour (cron). Utilise la base de l'application web (VEILLE_SECRET_KEY, "
        "DATABASE_URL).",
    )
    purge.add_argument(
        "--simulation", action="store_true", help="lister ce qui serait supprimé, sans rien supprimer"
    )
    purge.add_argument("--date", metavar="AAAA-MM-JJ", help="faire comme si on était ce jour-là (rattrapage)")
    purge.add_argument("--commune", metavar="IDENTIFIANT", help="une seule commune (par défaut : toutes)")
    purge.set_defaults(run=purger)

    demo_web_parser = commands.add_parser(
        "demo-web",
        help="préparer la démonstration de l'application web (communes fictives, comptes, enfants)",
        description="Met à jour la base de l'application web et y crée deux communes fictives, un compte "
        "de démonstration par rôle (mots de passe connus : jamais en production) et les enfants d'une "
        "commune synthétique. Relancer la commande ne crée rien en double. Refuse de créer les comptes "
        "hors mode développement (VEILLE_DEBUG=1), sauf avec --force.",
    )
    demo_web_parser.add_argument(
        "--enfants", type=int, default=5000, metavar="N", help="nombre d'enfants (5000)"
    )
    demo_web_parser.add_argument(
        "--graine", type=int, default=2026, metavar="S", help="graine du hasard (2026)"
    )
    demo_web_parser.add_argument("--annee-scolaire", default="2026-2027", metavar="AAAA-AAAA")
    demo_web_parser.add_argument(
        "--force", action="store_true", help="créer les comptes même hors mode développement (base de test)"
    )
    demo_web_parser.set_defaults(run=demo_web)

    server = commands.add_parser(
        "serveur",
        help="lancer l'application web et son exécuteur de tâches",
        description="Met à jour la base, lance le serveur web et l'exécuteur de tâches (croisements, "
        "courriers), relance l'exécuteur s'il s'arrête ; Ctrl-C arrête les deux. Sans --production : "
        "serveur de développement, demande VEILLE_DEBUG=1.",
    )
    server.add_argument("--adresse", default="127.0.0.1:8000", metavar="HÔTE:PORT", help="(127.0.0.1:8000)")
    server.add_argument(
        "--production",
        action="store_true",
        help="serveur de production (gunicorn, fichiers statiques servis par whitenoise) ; "
        "demande VEILLE_SECRET_KEY",
    )
    server.set_defaults(run=serveur)

    law_parser = commands.add_parser(
        "droit",
        help="imprimer la table des règles de droit des procédures (CSV, ou Markdown pour la documentation)",
        description="Imprime la table des règles (version, domaine, acte, auteur, conditions, délai et point "
        "de départ, document, recours, références, « à vérifier ») : CSV avec une ligne d'en-tête, ou "
        "Markdown (docs/procedures.md).",
    )
    law_parser.add_argument("--format", choices=("csv", "md"), default="csv", help="csv (par défaut) ou md")
    law_parser.set_defaults(run=droit)
    return parser


def _department_parser(commands: Any) -> None:
    """``croiser-departement``: the departmental body's crossing of all its communes at once."""
    parser = commands.add_parser(
        "croiser-departement",
        help="croiser en une fois les fichiers enfants de toutes les communes d'un département avec la "
        "scolarité du département (un dossier de résultats par commune)",
        description="Croise en une fois les fichiers enfants (CAF, MSA) de chaque commune avec les fichiers "
        "de scolarité de tout le département (extractions ONDE, SIECLE… de la DSDEN) : un seul modèle, un "
        "dossier de scolarité n'est rapproché que d'un seul enfant du département. Écrit dans DOSSIER un "
        "dossier par commune (les fichiers de « veille croiser », avec les seuls enfants de la commune) et "
        "une synthèse départementale sans données personnelles (docs/echelle.md).",
    )
    parser.add_argument(
        "--communes",
        required=True,
        metavar="DOSSIER",
        help="un dossier par commune, nommé par son code INSEE (ex. 59350 ou 59350_Lille), contenant ses "
        "fichiers enfants : CSV, XLSX, ODS, Parquet ou archive 7z",
    )
    parser.add_argument(
        "--scolarite",
        nargs="+",
        required=True,
        metavar="FICHIER",
        help="fichiers de scolarité du département (ONDE, SIECLE, privé, CNED, IEF, médico-social…)",
    )
    parser.add_argument(
        "--sortie",
        required=True,
        metavar="DOSSIER",
        help="dossier des résultats : un sous-dossier par commune (même nom que dans --communes) et "
        "synthese_departement.json/.csv",
    )
    parser.add_argument(
        "--annee-scolaire",
        metavar="AAAA-AAAA",
        help="année scolaire de référence (par défaut : l'année en cours)",
    )
    parser.add_argument(
        "--ignorer-lignes-invalides",
        action="store_true",
        help="écarter les lignes invalides au lieu de refuser le fichier ; celles des fichiers enfants "
        "vont dans le dossier de leur commune (lignes_rejetees.csv), celles de la scolarité dans "
        "DOSSIER/lignes_rejetees_scolarite.csv",
    )
    parser.add_argument(
        "--modele",
        metavar="FICHIER",
        help="rejouer le croisement avec le modèle enregistré (modele.json) d'un précédent",
    )
    parser.add_argument(
        "--moteur",
        choices=("duckdb", "spark"),
        default="duckdb",
        help="où comparer les paires : duckdb (par défaut) ou spark (voir docs/echelle.md)",
    )
    parser.set_defaults(run=croiser_departement)


def _pprl_parsers(commands: Any) -> None:
    """``encoder`` and ``reveler``: run by the holders (CAF, MSA, DSDEN) on their own files."""

    def run(name: str) -> Any:
        def command(args: argparse.Namespace) -> int:
            from veille.pprl import commands

            return int(getattr(commands, name)(args))

        return command

    def holder_options(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--type", choices=("enfants", "scolarite"), help="fichiers enfants ou de scolarité"
        )
        parser.add_argument("--cle-detenteur", metavar="FICHIER", help="votre clé (ou VEILLE_CLE_DETENTEUR)")
        parser.add_argument("--detenteur", metavar="NOM", help="votre nom (CAF, MSA, DSDEN…)")
        parser.add_argument(
            "--ignorer-lignes-invalides", action="store_true", help="écarter les lignes invalides"
        )

    encoder = commands.add_parser(
        "encoder",
        help="encoder ses propres fichiers pour un croisement chiffré (CAF, MSA, DSDEN)",
        description="Encode les identités de vos fichiers (filtres de Bloom à clé secrète) : la cellule les "
        "croise sans voir une identité, puis vous demande de révéler les seuls enfants à suivre.",
    )
    encoder.add_argument(
        "fichiers", nargs="*", metavar="FICHIER", help="CSV, XLSX, ODS, archive 7z, ONDE, SIECLE"
    )
    encoder.add_argument(
        "--sortie", metavar="FICHIER", help="le fichier encodé (.npz) à remettre à la cellule"
    )
    encoder.add_argument(
        "--secret", metavar="FICHIER", help="le secret partagé des détenteurs (ou VEILLE_SECRET_PARTAGE)"
    )
    encoder.add_argument(
        "--campagne", metavar="NOM", help="la campagne (ex. 2026-12) : toutes les clés en dérivent"
    )
    encoder.add_argument("--annee-scolaire", metavar="AAAA-AAAA", help="pour l'obligation d'instruction")
    encoder.add_argument(
        "--schema", action="store_true", help="imprimer le schéma du fichier encodé et quitter"
    )
    encoder.add_argument(
        "--nouvelle-cle", metavar="FICHIER", help="écrire une clé ou un secret neuf et quitter"
    )
    encoder.add_argument(
        "--pliage-xor",
        action="store_true",
        help="plier chaque filtre (XOR de ses deux moitiés) : plus dur à attaquer, un peu moins précis ; "
        "tous les détenteurs d'une campagne doivent faire de même",
    )
    encoder.add_argument(
        "--equilibre",
        action="store_true",
        help="filtres équilibrés (chaque filtre et son complément, permutés) : tous de même poids, deux fois "
        "plus longs ; tous les détenteurs d'une campagne doivent faire de même",
    )
    holder_options(encoder)
    encoder.set_defaults(run=run("encoder"))

    reveal = commands.add_parser(
        "reveler",
        help="révéler les seuls enfants qu'une cellule doit voir après un croisement chiffré",
        description="Lit la liste d'identifiants envoyée par la cellule et vos propres fichiers, et "
        "écrit les seules lignes nommées, dans une archive 7z chiffrée (AES-256).",
    )
    reveal.add_argument("fichiers", nargs="+", metavar="FICHIER", help="les fichiers que vous aviez encodés")
    reveal.add_argument("--liste", required=True, metavar="FICHIER", help="a_reveler_<détenteur>.csv")
    reveal.add_argument("--sortie", required=True, metavar="FICHIER", help="archive .7z (ou .csv en clair)")
    holder_options(reveal)
    reveal.set_defaults(run=run("reveler"))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("\nInterrompu.", file=sys.stderr)
        return 130
    except Exception as error:
        from veille.matching.backends import BackendUnavailable, OutOfMemory

        if isinstance(error, BackendUnavailable | OutOfMemory):
            # Said in French with what to do: not an internal error.
            print(f"\nErreur : {error}", file=sys.stderr)
            return EXIT_BAD_INPUT if isinstance(error, BackendUnavailable) else 1
        # A traceback could print children's data into a terminal log: show it only on request.
        if os.environ.get("VEILLE_DEBUG"):
            raise
        print(
            f"Erreur interne de Veille ({type(error).__name__}). Rien n'a été perdu : les fichiers "
            "d'entrée sont intacts. Relancez avec VEILLE_DEBUG=1 pour le détail, et signalez-le.",
            file=sys.stderr,
        )
        return 1


def script() -> NoReturn:
    """The ``veille`` program: :func:`main`, then the end of the process.

    Everything the command built is left to the end of the process: a last pass of the cycle
    collector over it, at exit, freed nothing the exit does not and took a fifth of a second after a
    crossing of 10,000 children.
    """
    status = main()
    gc.freeze()
    sys.exit(status)


if __name__ == "__main__":
    script()
