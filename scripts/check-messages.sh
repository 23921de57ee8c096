#!/usr/bin/env bash
# The translations are complete and current (part of `make test`): every string the code and
# templates mark for translation is in the Japanese and English catalogues, every Japanese
# entry is translated, and no entry of either is fuzzy (a fuzzy entry is left out of the
# compiled catalogue, so its page would show the English source to a Japanese reader, or an
# old English wording of a changed string: msgmerge guesses them from similar strings).
#
# The catalogues themselves are not rewritten: makemessages runs on a throwaway copy of the
# sources, and only its template of messages (.pot) is compared with ours.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git ls-files -co --exclude-standard | grep -v '^locale/' | tar -cf - -T - | tar -xf - -C "$work"
mkdir -p "$work/locale"
status=0
for domain in django djangojs; do
  (cd "$work" && DJANGO_SETTINGS_MODULE=harassment_portal.settings.test "$OLDPWD/$PY" \
    manage.py makemessages -d "$domain" -l en --keep-pot --ignore=.venv --ignore=var \
    --ignore=staticfiles -v0)
  pot="$work/locale/$domain.pot"
  for language in ja en; do
    po="locale/$language/LC_MESSAGES/$domain.po"
    # Strings of the code missing from the catalogue (msgcmp: every msgid of the .pot in the .po).
    if ! msgcmp --use-untranslated --use-fuzzy "$po" "$pot" 2>"$work/missing"; then
      echo "$po lacks strings of the code (run \`make messages\`, then translate):" >&2
      grep -v "msgcmp: found" "$work/missing" | sed 's/^/  /' >&2 || true
      status=1
    fi
    # msgfmt's own count: "N translated messages, M fuzzy translations, K untranslated
    # messages." (the header is not counted).
    counts="$(LC_ALL=C msgfmt --statistics -o /dev/null "$po" 2>&1)"
    fuzzy="$(sed -n 's/.* \([0-9][0-9]*\) fuzzy translation.*/\1/p' <<<"$counts")"
    if [ -n "$fuzzy" ]; then
      echo "$po has $fuzzy fuzzy entries: check each translation and remove its fuzzy flag." >&2
      status=1
    fi
    # Japanese entries never translated (English ones fall back to their source, English).
    untranslated="$(sed -n 's/.* \([0-9][0-9]*\) untranslated message.*/\1/p' <<<"$counts")"
    if [ "$language" = ja ] && [ -n "$untranslated" ]; then
      echo "$po has $untranslated untranslated entries." >&2
      status=1
    fi
  done
done
[ "$status" = 0 ] && echo "Translations: complete and current."
exit "$status"
