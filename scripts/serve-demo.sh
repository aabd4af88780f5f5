#!/usr/bin/env bash
# The last step of `make demo`: the web server and a Celery worker, together. gunicorn (2 workers x 4 threads)
# serves the app; the worker (with beat inside it) runs the tasks sent through the broker (the embedded SQLite
# broker when CELERY_BROKER_URL is unset). Ctrl-C stops both; if either stops on its own, the other is stopped too.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
PORT=${PORT:-8000}
GRACE=${STOP_GRACE_SECONDS:-15}

"$BIN/celery" -A config worker --beat --schedule celerybeat-schedule --concurrency 2 \
  --without-gossip --without-mingle --loglevel INFO &
worker=$!
# --keep-alive 75: browsers reuse an idle connection for minutes; with gunicorn's default of 2 s, a request sent
# just as gunicorn closes the connection is reset (the load test saw it: think times of 1-3 s straddle 2 s).
"$BIN/gunicorn" config.wsgi --bind "127.0.0.1:$PORT" --workers 2 --threads 4 --keep-alive 75 \
  --access-logfile - --error-logfile - &
web=$!

# Stop both: TERM (gunicorn and Celery shut down gracefully), then KILL whatever is still there after $GRACE s. A
# TERM sent to the whole process group (a supervisor, `kill -- -PGID`) also reaches the worker's pool processes,
# which die holding the pool's queue lock, and the worker then hangs in its shutdown (Ctrl-C does not: pool
# processes ignore SIGINT); the KILL ends that.
stop() {
  trap '' INT TERM  # a second signal (make forwards one) must not end the script before both are stopped
  kill -TERM "$web" "$worker" 2>/dev/null
  for _ in $(seq 1 $((GRACE * 10))); do
    kill -0 "$web" 2>/dev/null || kill -0 "$worker" 2>/dev/null || break
    sleep 0.1
  done
  pkill -KILL -P "$worker" 2>/dev/null
  kill -KILL "$web" "$worker" 2>/dev/null
  wait "$web" "$worker" 2>/dev/null
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM

wait -n "$web" "$worker"
status=$?
if [ "$status" -ne 0 ]; then
  echo "serve-demo: $(kill -0 "$web" 2>/dev/null && echo 'the worker' || echo 'the web server') stopped" \
    "(exit $status); stopping the other" >&2
fi
stop
exit "$status"
