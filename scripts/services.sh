#!/usr/bin/env bash
# Start PostgreSQL and Redis when they are down, and create the integration suite's role and database.
# Works on this project's machines and on a fresh Debian 12 (no systemd needed).
set -euo pipefail

DB_USER=${INFRAREADY_DB_USER:-infraready}
DB_PASSWORD=${INFRAREADY_DB_PASSWORD:-infraready}
DB_NAME=${INFRAREADY_DB_NAME:-infraready}

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "Starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "Starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi
redis-cli -h 127.0.0.1 -p 6379 ping

# Through the local socket as the postgres superuser: peer authentication on a fresh Debian, trust here.
psql_admin() { runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qAt "$@"; }
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" != 1 ]; then
  psql_admin -c "CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD'"
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != 1 ]; then
  psql_admin -c "CREATE DATABASE $DB_NAME OWNER $DB_USER"
fi
echo "PostgreSQL role and database '$DB_NAME' ready; Redis ready."
