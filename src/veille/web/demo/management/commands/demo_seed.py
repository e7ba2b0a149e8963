"""``manage.py demo_seed``: migrate the database and fill it with the web demo (fictional data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from veille.web.demo.seed import (
    DEFAULT_CHILDREN,
    DEFAULT_SCHOOL_YEAR,
    DEFAULT_SEED,
    DemoRefused,
    accounts_table,
    ensure_allowed,
    seed_demo,
)


class Command(BaseCommand):
    help = (
        "Prépare la démonstration de l'application web : deux communes fictives, un compte par rôle "
        "(mots de passe connus : jamais en production), les enfants d'une commune synthétique."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enfants", type=int, default=DEFAULT_CHILDREN, help="enfants de la 1re commune")
        parser.add_argument("--graine", type=int, default=DEFAULT_SEED, help="graine du hasard")
        parser.add_argument("--annee-scolaire", default=DEFAULT_SCHOOL_YEAR, metavar="AAAA-AAAA")
        parser.add_argument(
            "--fichiers-annee-suivante",
            type=Path,
            default=Path("demo") / "donnees-2027",
            metavar="DOSSIER",
            help="où écrire les fichiers de l'année scolaire suivante, à déposer depuis le navigateur "
            "(demo/donnees-2027)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="créer les comptes de démonstration même hors mode développement (VEILLE_DEBUG)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enfants"] < 1:
            raise CommandError("--enfants doit être un nombre positif.")
        try:
            ensure_allowed(force=options["force"])
        except DemoRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write("Mise à jour de la base de données…")
        call_command("migrate", interactive=False, verbosity=0)
        seed_demo(
            children=options["enfants"],
            seed=options["graine"],
            school_year=options["annee_scolaire"],
            force=options["force"],
            next_year_dir=options["fichiers_annee_suivante"].resolve(),
            say=self.stdout.write,
        )
        self.stdout.write(
            "\nDémonstration prête (données fictives). Comptes (identifiant, mot de passe, rôle) :\n"
            + accounts_table()
            + "\nLa charte est à accepter à la première connexion."
            + f"\nFichiers de l'année scolaire suivante, à déposer depuis « Fichiers » : "
            f"{options['fichiers_annee_suivante'].resolve()}"
        )
