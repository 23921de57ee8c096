#!/usr/bin/env bash
# Debian packages the portal needs beyond Python. To run it: Pango and HarfBuzz's subsetter
# (WeasyPrint draws the case summary and record sheet PDFs with them) and a Japanese font
# (Noto CJK: the PDFs embed it, and without one Japanese is drawn as empty boxes). To test
# it, also gettext (msgfmt, to compile the translations) and Chromium (the browser tests);
# without the font the layout tests would pass where real pages overflow.
# `--runtime` checks the first group alone (for `make run`). Installs what is missing when
# it can (root with apt-get), otherwise says what to install and fails.
set -euo pipefail

has_library() { ldconfig -p 2>/dev/null | grep -q "$1"; }

missing=()
has_library 'libpango-1\.0\.so\.0' || missing+=(libpango-1.0-0)
has_library 'libpangoft2-1\.0\.so\.0' || missing+=(libpangoft2-1.0-0)
has_library 'libharfbuzz-subset\.so\.0' || missing+=(libharfbuzz-subset0)
fc-list :lang=ja 2>/dev/null | grep -q . || missing+=(fonts-noto-cjk)
if [ "${1:-}" != "--runtime" ]; then
  command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} with apt-get…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing system packages: ${missing[*]}. Install them, e.g.: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
