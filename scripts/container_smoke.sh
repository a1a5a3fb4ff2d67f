#!/usr/bin/env bash
# Build the image and smoke-test it: PostgreSQL, the one-shot data load, web
# and one task worker, then /healthz must answer 200 (database and worker
# heartbeat) and the home page must render. Uses docker or podman (argument 1),
# plain `run` commands so it needs no compose plugin. Cleans up after itself.
set -euo pipefail
ENGINE=${1:?usage: container_smoke.sh docker|podman}
TAG=firstline:smoke
NET=firstline-smoke-$$
PORT=${SMOKE_PORT:-18000}
KEY=$(python3 -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())")
ENVS=(-e FIRSTLINE_ENV=production -e SECRET_KEY="smoke-$(date +%s)-not-secret-but-long-enough-for-the-check"
      -e ALLOWED_HOSTS=localhost,127.0.0.1 -e SITE_URL=http://localhost:$PORT
      -e FIELD_ENCRYPTION_KEYS="$KEY" -e SECURE_SSL_REDIRECT=0 -e SECURE_COOKIES=0
      -e DATABASE_URL=postgres://firstline:firstline@db-$$:5432/firstline)

cleanup() {
  "$ENGINE" rm -f "web-$$" "worker-$$" "db-$$" >/dev/null 2>&1 || true
  "$ENGINE" network rm "$NET" >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$ENGINE" build -t "$TAG" .
"$ENGINE" network create "$NET" >/dev/null
"$ENGINE" run -d --name "db-$$" --network "$NET" -e POSTGRES_USER=firstline \
  -e POSTGRES_PASSWORD=firstline -e POSTGRES_DB=firstline postgres:17 >/dev/null
for _ in $(seq 60); do
  "$ENGINE" exec "db-$$" pg_isready -U firstline -d firstline >/dev/null 2>&1 && break
  sleep 1
done
"$ENGINE" run --rm --network "$NET" "${ENVS[@]}" "$TAG" sh -c \
  "python manage.py migrate --noinput && python manage.py createcachetable && python manage.py load_bundled"
"$ENGINE" run -d --name "web-$$" --network "$NET" -p "127.0.0.1:$PORT:8000" "${ENVS[@]}" "$TAG" >/dev/null
"$ENGINE" run -d --name "worker-$$" --network "$NET" "${ENVS[@]}" "$TAG" \
  python manage.py db_worker --queue-name '*' --no-reload >/dev/null

status=""
for _ in $(seq 90); do
  status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz" || true)
  [ "$status" = 200 ] && break
  sleep 1
done
if [ "$status" != 200 ]; then
  echo "container-test: /healthz answered '$status'"; "$ENGINE" logs "web-$$" | tail -30
  curl -s "http://127.0.0.1:$PORT/healthz" || true
  exit 1
fi
curl -sf "http://127.0.0.1:$PORT/en/" | grep -q "<html" || { echo "container-test: home page failed"; exit 1; }
echo "container-test: image $TAG built; /healthz 200 with a worker; home page renders"
