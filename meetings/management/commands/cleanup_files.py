"""`python manage.py cleanup_files`: delete files in the storage that nothing needs any more.

Operators run it once a day (cron, a systemd timer or the platform's scheduler), on one machine:

    python manage.py cleanup_files

It deletes, in the default storage (local folder or S3-compatible object storage):
- attachment files no attachment row names (an interrupted upload, a deleted attachment) that are
  older than the grace period (24 hours; --grace-hours), so an upload in progress is left alone;
- stored PDFs superseded by a newer file of the same document, audience and variant, and
  temporary files of an interrupted write older than the grace period.
--dry-run lists what would go without deleting anything.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from documents.pdf import delete_superseded_files
from meetings.services.attachments import delete_orphaned_files

DEFAULT_GRACE_HOURS = 24


class Command(BaseCommand):
    help = (
        "Sletter filer ingen trenger lenger: vedleggsfiler uten vedleggsrad (avbrutt opplasting, "
        "slettet vedlegg) som er eldre enn fristen, og lagrede PDF-er som en nyere versjon har "
        "erstattet. Kjøres daglig."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace-hours",
            type=float,
            default=DEFAULT_GRACE_HOURS,
            help="Filer uten rad slettes først når de er så mange timer gamle (standard 24).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Vis hva som ville blitt slettet.")

    def handle(self, *args, grace_hours=DEFAULT_GRACE_HOURS, dry_run=False, **options):
        if grace_hours < 0:
            raise CommandError("--grace-hours kan ikke være negativ.")
        older_than = timezone.now() - dt.timedelta(hours=grace_hours)
        attachments = delete_orphaned_files(older_than=older_than, dry_run=dry_run)
        pdfs = delete_superseded_files(older_than=older_than, dry_run=dry_run)
        verb = "Ville slettet" if dry_run else "Slettet"
        for name in [*attachments, *pdfs]:
            self.stdout.write(f"  {name}")
        self.stdout.write(
            f"{verb} {len(attachments)} vedleggsfil(er) uten vedlegg og {len(pdfs)} utdatert(e) PDF-fil(er)."
        )
