"""``manage.py creer_commune`` : une commune et son premier référent, pour démarrer une cellule."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from veille.web.common.accounts.members import add_member
from veille.web.common.accounts.roles import Role
from veille.web.common.territories.models import Commune


class Command(BaseCommand):
    help = "Crée une commune et son référent mairie (mot de passe provisoire affiché une seule fois)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--nom", required=True, help="nom de la commune")
        parser.add_argument("--adresse-web", dest="slug", required=True, help="identifiant dans les adresses")
        parser.add_argument("--insee", default="", help="code INSEE (5 caractères)")
        parser.add_argument("--referent", required=True, help="identifiant de connexion du référent")

    def handle(self, *args: Any, **options: Any) -> None:
        if Commune.objects.filter(slug=options["slug"]).exists():
            raise CommandError(f"la commune « {options['slug']} » existe déjà.")
        with transaction.atomic():
            insee = options["insee"]
            commune = Commune.objects.create(
                name=options["nom"], slug=options["slug"], insee_code=insee, department=insee[:2]
            )
            membership, password = add_member(
                commune=commune, username=options["referent"], role=Role.REFERENT
            )
        self.stdout.write(f"Commune « {commune.name} » créée ; référent : {membership.user.username}.")
        if password:
            self.stdout.write(f"Mot de passe provisoire (affiché une seule fois) : {password}")
