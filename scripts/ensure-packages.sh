#!/usr/bin/env bash
# Install the Debian packages InfraReady needs, only those that are missing.
#   scripts/ensure-packages.sh browser   chromium, fonts and Pango (browser tests, chart export, PDF reports)
#   scripts/ensure-packages.sh ci        everything .ci/run needs (adds PostgreSQL, Redis, poppler, docker-compose)
# As root it installs with apt-get; otherwise it names what is missing. With CI=true a missing package is an error.
set -euo pipefail

profile=${1:-browser}
missing=()
need() {  # need PACKAGE CHECK...: the package is missing when the check command fails
  local package=$1; shift
  if ! "$@" >/dev/null 2>&1; then missing+=("$package"); fi
}
has_font() { fc-list 2>/dev/null | grep -qi "$1"; }
has_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }

need python3-venv python3 -c "import ensurepip"
need chromium command -v chromium
need fontconfig command -v fc-list
need fonts-dejavu-core has_font dejavu
need fonts-liberation2 has_font liberation
need libpangoft2-1.0-0 has_lib libpangoft2-1.0.so.0  # WeasyPrint (PDF reports)
if [ "$profile" = ci ]; then
  need make command -v make
  need postgresql command -v pg_ctlcluster
  need postgresql-client command -v psql
  need redis-server command -v redis-server
  need poppler-utils command -v pdftoppm
  need docker-compose command -v docker-compose
fi

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing missing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi

echo "Missing system packages: ${missing[*]}" >&2
echo "Install them with: sudo apt-get install ${missing[*]}" >&2
if [ "${CI:-}" = true ]; then
  echo "CI=true: refusing to go on without them." >&2
  exit 1
fi
echo "Going on without them: browser tests are skipped and charts will not be exported." >&2
