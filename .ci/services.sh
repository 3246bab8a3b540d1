#!/usr/bin/env bash
# Reuse the machine's PostgreSQL and Redis when they answer; start them when they do not.
# Tests create their own throw-away database, so a shared server is safe for parallel runs.
set -uo pipefail
PGHOST=${MELI_TEST_PG_HOST:-127.0.0.1}
PGPORT=${MELI_TEST_PG_PORT:-5432}
REDIS_PORT=${MELI_TEST_REDIS_PORT:-6379}

wait_for() { # command, name
  for _ in $(seq 1 50); do eval "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "services: $2 did not come up" >&2; return 1
}

if ! pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; then
  echo "services: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  wait_for "pg_isready -q -h $PGHOST -p $PGPORT" PostgreSQL || exit 1
fi
if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
  echo "services: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for "redis-cli -p $REDIS_PORT ping | grep -q PONG" Redis || exit 1
fi
echo "services: PostgreSQL ${PGHOST}:${PGPORT} and Redis 127.0.0.1:${REDIS_PORT} ready"
