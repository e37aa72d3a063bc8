#!/bin/sh
# Run once by the postgres image on an empty data directory (docker-entrypoint-initdb.d): creates the server's
# restricted role. The owner (POSTGRES_USER) runs migrations and grants it what it needs (npm run db:migrate).
set -eu
: "${VJ_APP_DB_PASSWORD:?set VJ_APP_DB_PASSWORD: the server's database role needs a password}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -v pw="$VJ_APP_DB_PASSWORD" <<'SQL'
CREATE ROLE vj_app LOGIN PASSWORD :'pw';
SQL
