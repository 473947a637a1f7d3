#!/usr/bin/env bash
# Back up the portal: the PostgreSQL database (pg_dump's custom format) and the media folder
# (attachments and stored PDFs, which go through Django's storage to DJANGO_MEDIA_ROOT).
#
#   DATABASE_URL=postgres://… DJANGO_MEDIA_ROOT=/srv/helsefellesskap/media scripts/backup.sh [DEST]
#
# Writes DEST/helsefellesskap-<UTC time>/{database.dump,media.tar.gz,SHA256SUMS} (DEST defaults to
# $BACKUP_DIR or ./backups) and prints that folder. The database is dumped first, then the files:
# a file uploaded in between is an extra file in the backup (harmless), never a row without its file.
# With S3 storage (DJANGO_STORAGE_BACKEND=storages.backends.s3.S3Storage) there is no media folder
# to copy: turn on the bucket's versioning and replication instead (README, "Backups and restore").
# Restore with scripts/restore.sh, then check with `manage.py check_restore`.
set -euo pipefail
umask 077  # the dump holds personal data and password hashes

: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database to back up}"
case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *) echo "DATABASE_URL must be a postgres:// address; backups are for PostgreSQL" >&2; exit 1 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
media=${DJANGO_MEDIA_ROOT:-$root/media}
dest=${1:-${BACKUP_DIR:-backups}}
folder="$dest/helsefellesskap-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$folder"

pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$folder/database.dump"

if [ -d "$media" ]; then
  tar --create --gzip --file="$folder/media.tar.gz" --directory="$media" .
else
  echo "NOTE: no media folder at $media; the backup holds no files" >&2
  tar --create --gzip --file="$folder/media.tar.gz" --files-from=/dev/null
fi

(cd "$folder" && sha256sum database.dump media.tar.gz > SHA256SUMS)
echo "$folder"
