#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database and an empty media folder.
#
#   createdb helsefellesskap_restored   # or ask your database administrator
#   DATABASE_URL=postgres://…/helsefellesskap_restored DJANGO_MEDIA_ROOT=/srv/… scripts/restore.sh BACKUP_FOLDER
#
# Refuses when the checksums do not match, the database already has tables or the media folder
# has files (it never overwrites an installation). The database comes back in one transaction:
# all or nothing. Then check it with the settings the portal runs with:
#   manage.py check_restore
set -euo pipefail

folder=${1:?"usage: scripts/restore.sh BACKUP_FOLDER (made by scripts/backup.sh)"}
: "${DATABASE_URL:?DATABASE_URL must name the empty PostgreSQL database to restore into}"
root=$(cd "$(dirname "$0")/.." && pwd)
media=${DJANGO_MEDIA_ROOT:-$root/media}

for file in database.dump media.tar.gz SHA256SUMS; do
  [ -f "$folder/$file" ] || { echo "$folder/$file is missing: is this a folder made by scripts/backup.sh?" >&2; exit 1; }
done
(cd "$folder" && sha256sum --check --quiet SHA256SUMS) || { echo "The backup's checksums do not match: it is damaged" >&2; exit 1; }

tables=$(psql --no-psqlrc --tuples-only --no-align --dbname="$DATABASE_URL" \
  --command="SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" != 0 ]; then
  echo "The database in DATABASE_URL already has $tables tables; restore into a new, empty database" >&2
  exit 1
fi
if [ -d "$media" ] && [ -n "$(ls -A "$media")" ]; then
  echo "The media folder $media is not empty; restore into a new, empty folder (DJANGO_MEDIA_ROOT)" >&2
  exit 1
fi

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$DATABASE_URL" "$folder/database.dump"
mkdir -p "$media"
tar --extract --gzip --file="$folder/media.tar.gz" --directory="$media"

echo "Restored $folder. Now check it: manage.py check_restore (with the portal's settings)"
