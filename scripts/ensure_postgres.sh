#!/usr/bin/env bash
# Start Debian's PostgreSQL cluster and create the firstline role and database
# (idempotent). The role may create databases: the test runner needs that.
set -euo pipefail
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | grep -q .; then
  $SUDO pg_createcluster "$version" main >/dev/null
fi
read -r ver cluster port status _ < <(pg_lsclusters -h | head -1)
if [ "$status" != "online" ]; then
  $SUDO pg_ctlcluster "$ver" "$cluster" start
fi
for _ in $(seq 1 30); do
  as_pg psql -p "$port" -tAc "select 1" >/dev/null 2>&1 && break
  sleep 0.5
done
as_pg psql -p "$port" -v ON_ERROR_STOP=1 -q <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'firstline') THEN
    CREATE ROLE firstline LOGIN PASSWORD 'firstline' CREATEDB;
  END IF;
END \$\$;
SQL
as_pg psql -p "$port" -tAc "SELECT 1 FROM pg_database WHERE datname='firstline'" | grep -q 1 \
  || as_pg createdb -p "$port" -O firstline firstline
echo "PostgreSQL $ver/$cluster online on port $port"
