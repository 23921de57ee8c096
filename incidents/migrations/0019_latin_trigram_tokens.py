# Search tokens gain every three-letter piece of Latin text (issue 12). An English word's pairs
# of letters ("re", "ef", "fu", "un", "nd" of "refund") are in nearly every English report, so
# at a million reports the GIN index handed back most of them and "refund" took 6.4 s; its
# trigrams ("efu", "fun") are rare. Japanese keeps its characters and pairs: its words are
# one or two characters long, and its pairs are already selective.
#
# PostgreSQL 15 cannot change a stored generated column's expression in place, and
# recomputing it by an UPDATE would write a change-history row per report: the column and its
# index are dropped and added again instead (one rewrite of the table, no row trigger fires).
# On a million reports that takes as long as computing every report's tokens once (minutes).

from django.db import migrations

# Every lower-cased character, every pair of adjacent characters and every three adjacent
# Latin letters or digits, none holding whitespace, sorted and distinct, in linear time.
TRIGRAM_TOKENS_SQL = r"""
CREATE OR REPLACE FUNCTION hp_search_tokens(narrative text, demand text, exact_words text)
RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH characters AS (
        SELECT c, lead(c) OVER w AS next, lead(c, 2) OVER w AS after_next
        FROM unnest(string_to_array(
            lower(coalesce(narrative, '') || ' ' || coalesce(demand, '') || ' '
                  || coalesce(exact_words, '')),
            NULL
        )) WITH ORDINALITY AS split(c, i)
        WINDOW w AS (ORDER BY i)
    ),
    tokens AS (
        SELECT c AS token FROM characters
        UNION
        SELECT c || next FROM characters WHERE next IS NOT NULL
        UNION
        SELECT c || next || after_next FROM characters
        WHERE c || next || after_next ~ '^[a-z0-9]{3}$'
    )
    SELECT coalesce(array_agg(token ORDER BY token), '{}')
    FROM tokens WHERE token !~ '\s'
$$;
"""
# Migrating back restores migration 0007's characters and pairs.
PAIR_TOKENS_SQL = r"""
CREATE OR REPLACE FUNCTION hp_search_tokens(narrative text, demand text, exact_words text)
RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH characters AS (
        SELECT c, lead(c) OVER (ORDER BY i) AS next
        FROM unnest(string_to_array(
            lower(coalesce(narrative, '') || ' ' || coalesce(demand, '') || ' '
                  || coalesce(exact_words, '')),
            NULL
        )) WITH ORDINALITY AS split(c, i)
    ),
    tokens AS (
        SELECT c AS token FROM characters
        UNION
        SELECT c || next FROM characters WHERE next IS NOT NULL
    )
    SELECT coalesce(array_agg(token ORDER BY token), '{}')
    FROM tokens WHERE token !~ '\s'
$$;
"""

RECOMPUTE_SQL = """
DROP INDEX IF EXISTS report_search_tokens;
ALTER TABLE incidents_incidentreport DROP COLUMN search_tokens;
ALTER TABLE incidents_incidentreport ADD COLUMN search_tokens text[]
    GENERATED ALWAYS AS (hp_search_tokens(narrative, demand, exact_words)) STORED;
-- The review queue's search and the API's: words through their tokens (incidents.search).
CREATE INDEX report_search_tokens ON incidents_incidentreport USING gin (search_tokens);
"""


class Migration(migrations.Migration):
    dependencies = [("incidents", "0018_submission_speed")]

    operations = [
        migrations.RunSQL(
            sql=TRIGRAM_TOKENS_SQL + RECOMPUTE_SQL, reverse_sql=PAIR_TOKENS_SQL + RECOMPUTE_SQL
        ),
    ]
