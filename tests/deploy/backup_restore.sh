#!/usr/bin/env bash
# CI: back up an installation with scripts/backup.sh, restore it with scripts/restore.sh into a
# fresh database and media folder, and check it with `manage.py check_restore`, as README,
# "Backups and restore" tells an operator. Also shows that the check fails when a file is
# missing and that restore.sh refuses a database that is not empty.
#
#   tests/deploy/backup_restore.sh    (PostgreSQL at $PGHOST:$PGPORT, user postgres)
# The two databases are ${DEPLOY_DB_PREFIX}_source and ${DEPLOY_DB_PREFIX}_restored; both are
# dropped and made again, and dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."

PY=.venv/bin/python
PG=postgres://postgres@${PGHOST:-127.0.0.1}:${PGPORT:-5432}
prefix=${DEPLOY_DB_PREFIX:-helsefellesskap_deploy}
source_db=${prefix}_source
restored_db=${prefix}_restored
work=$(mktemp -d)
export DJANGO_SETTINGS_MODULE=helsefellesskap.settings.local
unset REDIS_URL  # the local settings: no queue, tasks in-process

psql_admin() { PGOPTIONS="-c client_min_messages=warning" psql --no-psqlrc --quiet --dbname="$PG/postgres" "$@"; }
fresh_db() { psql_admin -c "DROP DATABASE IF EXISTS \"$1\"" -c "CREATE DATABASE \"$1\""; }
cleanup() {
  psql_admin -c "DROP DATABASE IF EXISTS \"$source_db\"" -c "DROP DATABASE IF EXISTS \"$restored_db\"" || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "-- An installation: the demo data and one attachment with its file"
fresh_db "$source_db"
export DATABASE_URL=$PG/$source_db DJANGO_MEDIA_ROOT=$work/media
$PY manage.py migrate --noinput --verbosity 0
$PY manage.py load_demo >/dev/null
$PY manage.py shell --no-imports -c '
from django.core.files.base import ContentFile
from meetings.models import Attachment
attachment = Attachment.objects.first()
attachment.file.save("saksdokument.pdf", ContentFile(b"%PDF-1.4 backup test"), save=True)
print("attached", attachment.file.name)
'

echo "-- Back up"
folder=$(scripts/backup.sh "$work/backups")
ls -l "$folder"

echo "-- Restore into a fresh database and an empty media folder"
fresh_db "$restored_db"
export DATABASE_URL=$PG/$restored_db DJANGO_MEDIA_ROOT=$work/media-restored
scripts/restore.sh "$folder"

echo "-- Check the restore"
$PY manage.py check_restore

echo "-- restore.sh refuses a database that is not empty"
if scripts/restore.sh "$folder" 2>"$work/refusal"; then
  echo "FAIL: restore.sh restored over an existing installation" >&2; exit 1
fi
grep -q "already has" "$work/refusal" || { cat "$work/refusal" >&2; exit 1; }

echo "-- check_restore fails when a file did not come back"
rm "$work/media-restored/attachments/"*
if $PY manage.py check_restore >/dev/null 2>"$work/missing"; then
  echo "FAIL: check_restore passed with an attachment file missing" >&2; exit 1
fi
grep -q "vedleggsfiler mangler" "$work/missing" || { cat "$work/missing" >&2; exit 1; }

echo "Backup and restore: OK"
