#!/usr/bin/env bash
# `make run` after the virtual environment exists: check the services, migrate, compile the
# translations, seed the demo, print how to sign in, then run web + worker + beat.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
PORT="${PORT:-8000}"
mkdir -p var

# Pango, HarfBuzz and a Japanese font for the PDF exports: installed when run as root with
# apt-get; otherwise the portal runs and only the PDFs fail, so a warning is enough.
scripts/ensure-system-packages.sh --runtime \
  || echo "(the case summary and record sheet PDFs need Pango, HarfBuzz and Noto CJK)"

echo "Checking PostgreSQL and Redis…"
"$PY" scripts/preflight.py

"$PY" manage.py migrate --noinput
if command -v msgfmt >/dev/null 2>&1; then
  "$PY" manage.py compilemessages --ignore=.venv --ignore=var -v0
else
  echo "(gettext is not installed: using the compiled translations in locale/)"
fi

# The demo password: DEMO_PASSWORD, else the one generated on an earlier run, else a new one.
password_file=var/demo-password
if [ -n "${DEMO_PASSWORD:-}" ]; then
  password="$DEMO_PASSWORD"
elif [ -s "$password_file" ]; then
  password="$(cat "$password_file")"
else
  password="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(12))')"
  (umask 077 && printf '%s' "$password" > "$password_file")
fi
"$PY" manage.py seed_demo --password "$password"
totp_secret="$("$PY" manage.py demo_totp --secret)"

cat <<EOT

  Harassment Portal is starting at  http://127.0.0.1:${PORT}/

  Demo users (password: ${password})
    staff.tokyo       staff, Tokyo (TKY01)
    staff.osaka       staff, Osaka (OSA01)
    supervisor.tokyo  supervisor, Tokyo
    supervisor.osaka  supervisor, Osaka
    manager           manager, all centers
    legal             legal and compliance, all centers
    admin             administrator (Django admin at /admin/)
    care              staff-care contact (told when a reporter asks for support)

  Second factor: all but staff.tokyo and staff.osaka then give a six-digit code. Add the key
    ${totp_secret}  to an authenticator app, or print the current code with
    ${PY} manage.py demo_totp supervisor.tokyo
  (passkeys: open http://localhost:${PORT}/ rather than 127.0.0.1)

  Stop with Ctrl-C.

EOT
exec "$VENV/bin/honcho" start -f Procfile -p "$PORT"
