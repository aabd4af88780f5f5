#!/usr/bin/env bash
# make test-api-fuzz: schemathesis over every operation of /api/schema/, against a live server of the demo data
# (a scratch SQLite database, seed_demo, a token of the demo organization). A fixed seed and a bounded number of
# examples per operation make the run repeatable; it fails on any 5xx and on any response that does not match the
# schema (status code, content type, body). Settings: config.settings.fuzz.
#   FUZZ_PORT (8101), FUZZ_EXAMPLES (examples per operation, 10), FUZZ_SEED (20261202), FUZZ_ARGS (more st options,
#   e.g. "--include-path-regex inventory/sites"), FUZZ_SERVER_LOG (keep the server's log there).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
PORT=${FUZZ_PORT:-8101}
EXAMPLES=${FUZZ_EXAMPLES:-10}
SEED=${FUZZ_SEED:-20261202}
WORK=$(mktemp -d -t infraready-fuzz.XXXXXX)
SERVER_LOG=${FUZZ_SERVER_LOG:-$WORK/server.log}
export DJANGO_SETTINGS_MODULE=config.settings.fuzz
export DATABASE_URL="sqlite:///$WORK/fuzz.sqlite3"
export FUZZ_MEDIA_ROOT="$WORK/media"
export DEMO_PASSWORD=${DEMO_PASSWORD:-fuzz-demo-password}
unset CELERY_BROKER_URL CACHE_URL

web=""
cleanup() {
  [ -n "$web" ] && kill -TERM "$web" 2>/dev/null && wait "$web" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN/python" manage.py migrate --noinput -v 0
"$BIN/python" manage.py seed_demo > "$WORK/seed.log"
TOKEN=$("$BIN/python" manage.py issue_token demo --org demo-corp --name schemathesis | tail -1)

# --limit-request-line 0: the application, not gunicorn's 4,094-byte request line, answers long query strings
# (a front server's 414 is not part of the API's contract; the fuzz once sent a 7,335-byte URL).
"$BIN/gunicorn" config.wsgi --bind "127.0.0.1:$PORT" --workers 2 --threads 2 --timeout 120 \
  --limit-request-line 0 --error-logfile - --log-level warning > "$SERVER_LOG" 2>&1 &
web=$!
for _ in $(seq 1 100); do
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
  sleep 0.2
done

# The schema as the server serves it (fetched once: generating it takes seconds, longer than st waits).
curl -sf --max-time 300 -H "Authorization: Token $TOKEN" "http://127.0.0.1:$PORT/api/schema/?format=json" \
  -o "$WORK/schema.json"

status=0
# shellcheck disable=SC2086  # FUZZ_ARGS is a list of options
"$BIN/st" run "$WORK/schema.json" --url "http://127.0.0.1:$PORT" \
  --header "Authorization: Token $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --phases examples,coverage,fuzzing \
  --max-examples "$EXAMPLES" --seed "$SEED" --workers 1 \
  --request-timeout 60 --no-color --suppress-health-check all --warnings off \
  ${FUZZ_ARGS:-} || status=$?
if grep -q "Traceback" "$SERVER_LOG"; then
  echo "--- server errors (the tracebacks in the server's log) ---"
  grep -B2 -A40 "Traceback" "$SERVER_LOG" | head -400
fi
exit $status
