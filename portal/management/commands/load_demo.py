"""`python manage.py load_demo`: the seed documents and a few demo extras, into an empty database."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal import demo


class Command(BaseCommand):
    help = (
        "Laster demodata inn i en tom database: alt fra de fem seed-dokumentene (fixtures/*.toml) "
        "og noen tydelig merkede demotillegg (fixtures/demo_extras.toml), pluss demobrukerne "
        f"{', '.join(demo.DEMO_USERS)} med passordet «{demo.DEMO_PASSWORD}». Alt skjer i én "
        "transaksjon. Kommandoen nekter å kjøre hvis databasen allerede har domenedata eller "
        "demobrukere; med --flush slettes først alle domenedata (helsefellesskap, organisasjoner, "
        "organer, personer, møter, saker, handlingsplaner …) og demobrukerne. Historikken beholdes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--flush",
            action="store_true",
            help="Slett alle eksisterende domenedata og demobrukerne før demodataene lastes inn.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Last bare inn hvis databasen er tom; ellers gjør ingenting (for «make run»).",
        )

    def handle(self, *args, flush=False, if_empty=False, **options):
        if settings.ENVIRONMENT == "production":
            # The demo creates the superuser "admin" with a password printed in the README.
            raise CommandError(
                "load_demo kjører ikke med produksjonsinnstillingene: demodataene har en "
                "superbruker med et kjent passord. Bruk det lokale oppsettet (make run)."
            )
        try:
            demo.load_demo(flush=flush)
        except demo.DatabaseNotEmpty as exc:
            if if_empty:
                self.stdout.write("Databasen har allerede data; demodataene lastes ikke inn på nytt.")
                return
            raise CommandError(str(exc)) from exc
        except demo.DemoDataError as exc:
            raise CommandError(str(exc)) from exc

        self.stdout.write(self.style.SUCCESS("Demodata lastet inn fra seed-dokumentene:"))
        for label, count in demo.summary():
            self.stdout.write(f"  {count:4d} {label}")
        self.stdout.write(f"Innlogginger (passord «{demo.DEMO_PASSWORD}»):")
        for user in demo.DEMO_USERS.values():
            self.stdout.write(f"  {user.username:<17} {user.description}")
