"""Check a restored installation: schema, data, files and history are all there.

Run after scripts/restore.sh (README, "Backups and restore"), with the same settings the
portal runs with. Prints what it counted and exits non-zero, naming what is missing, when
- a migration is not applied (the dump is from another version, or the restore stopped);
- a main table is empty (the dump did not come back);
- an attachment's file is not in the storage (the files were not restored with the database);
- a table with rows has no history (the history tables were left out of the dump).
"""

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from actionplans.models import ActionPlan
from governance.models import Body, Membership, Organisation, Partnership, Person
from meetings.models import Attachment, Case, Meeting, Minutes

# Tables every installation in use has rows in; an empty one means the restore lost it.
REQUIRED = (
    (Partnership, "helsefellesskap"),
    (Organisation, "organisasjoner"),
    (Body, "organer"),
    (Person, "personer"),
    (Membership, "medlemskap"),
    (Meeting, "møter"),
    (Case, "saker"),
)
# Counted and printed, but a young installation may have none yet.
COUNTED = (
    (Minutes, "referater"),
    (Attachment, "vedlegg"),
    (ActionPlan, "handlingsplaner"),
)
# At most this many missing files are named; the count says how many there are in all.
MISSING_NAMED = 20


class Command(BaseCommand):
    help = "Sjekker en gjenopprettet installasjon: migreringer, data, vedleggsfiler og historikk."

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database=DEFAULT_DB_ALIAS, **options):
        self.check_migrations(database)
        problems = self.check_rows(database) + self.check_history(database) + self.check_files(database)
        if problems:
            raise CommandError(
                "Gjenopprettingen er ikke komplett:\n" + "\n".join(f"  - {problem}" for problem in problems)
            )
        self.stdout.write(self.style.SUCCESS("Gjenopprettingen er komplett."))

    def check_migrations(self, database):
        connection = connections[database]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            names = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _ in plan[:10])
            raise CommandError(
                f"{len(plan)} migreringer er ikke kjørt ({names}). Er dumpen fra en annen versjon, "
                "eller stoppet gjenopprettingen? Kjør `manage.py migrate` bare hvis dumpen er "
                "eldre enn koden."
            )
        self.stdout.write("Migreringer: alle er kjørt.")

    def check_rows(self, database):
        problems = []
        user_model = get_user_model()
        for model, label in ((user_model, "brukere"), *REQUIRED, *COUNTED):
            count = model._default_manager.using(database).count()
            self.stdout.write(f"  {count:6d} {label}")
            if count == 0 and (model is user_model or (model, label) in REQUIRED):
                problems.append(f"Ingen {label} ({model._meta.db_table} er tom).")
        return problems

    def check_history(self, database):
        problems = []
        for model, label in (*REQUIRED, *COUNTED):
            rows = model._default_manager.using(database).count()
            history = model.history.using(database).count()
            if rows and not history:
                problems.append(
                    f"{label.capitalize()} har ingen historikk ({model.history.model._meta.db_table} er tom)."
                )
        if not problems:
            self.stdout.write("Historikk: finnes for alle tabeller med rader.")
        return problems

    def check_files(self, database):
        names = Attachment.objects.using(database).exclude(file="").values_list("file", flat=True)
        total, missing = 0, []
        for name in names.iterator():
            total += 1
            if not default_storage.exists(name):
                missing.append(name)
        self.stdout.write(f"Vedleggsfiler: {total - len(missing)} av {total} finnes i lagringen.")
        if not missing:
            return []
        shown = ", ".join(missing[:MISSING_NAMED]) + (" …" if len(missing) > MISSING_NAMED else "")
        return [
            f"{len(missing)} av {total} vedleggsfiler mangler i lagringen ({shown}). "
            "Ble mediemappen (DJANGO_MEDIA_ROOT) gjenopprettet sammen med databasen?"
        ]
