"""`python manage.py rebuild_search`: redraw every stored search document from the text it is made of,
and the vocabulary of suggestions ("Mente du …?") from what visitors read.

Saves through the models keep the documents current by themselves (meetings/search_index.py); run
this after writes that bypass them: bulk inserts (the national-scale generator in bench/ calls it),
raw SQL, a restore from an older dump. One transaction: searches see the old documents until the
new ones are committed. Does nothing on SQLite, whose search reads the text directly.
"""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from meetings import search_index


class Command(BaseCommand):
    help = (
        "Bygger søkeindeksen (lagrede søkedokumenter for saker og referater, og ordlisten for "
        "«Mente du …?») på nytt fra teksten. "
        "Kjøres etter masseinnlegging av data; vanlige endringer holder den oppdatert selv."
    )

    def handle(self, *args, **options):
        if not search_index.enabled():
            self.stdout.write("Søkeindeksen brukes bare på PostgreSQL; ingenting å gjøre.")
            return
        started = time.monotonic()
        with transaction.atomic():
            cases, minutes = search_index.rebuild_all()
        self.stdout.write(
            f"Søkeindeksen er bygget: {cases} dokumenter for saker, {minutes} for referater "
            f"({time.monotonic() - started:.1f} s)."
        )
