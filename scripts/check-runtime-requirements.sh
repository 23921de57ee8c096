#!/usr/bin/env bash
# Proves that requirements.txt alone runs the app, as on a fresh clone before any dev
# requirement exists: in a throwaway virtual environment holding requirements.txt and nothing
# else, a real Celery worker answers a ping, then `make run` comes up healthy and stops cleanly.
#
# The environment is rebuilt from scratch whenever requirements.txt changes (keyed on its
# hash): installing on top of an old one would keep a dropped package and hide the gap.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
RUNTIME_VENV="${RUNTIME_VENV:-var/runtime-venv}"
key="$(sha256sum requirements.txt | cut -c1-16)"

if [ ! -e "$RUNTIME_VENV/.requirements-$key" ]; then
  echo "Building $RUNTIME_VENV from requirements.txt alone…"
  rm -rf "$RUNTIME_VENV"
  "$PYTHON" -m venv "$RUNTIME_VENV"
  "$RUNTIME_VENV/bin/python" -m pip install --quiet --upgrade pip
  "$RUNTIME_VENV/bin/python" -m pip install --quiet -r requirements.txt
  touch "$RUNTIME_VENV/.requirements-$key"
  # The stamp `make run VENV=…` looks for: this environment is installed and current.
  touch "$RUNTIME_VENV/.runtime"
fi

# Nothing from the caller's environment may stand in for a missing package or setting.
exec env -u PYTHONPATH -u VIRTUAL_ENV -u DJANGO_SETTINGS_MODULE -u SITE_URL \
  RUNTIME_VENV="$RUNTIME_VENV" "$RUNTIME_VENV/bin/python" scripts/runtime_smoke.py
