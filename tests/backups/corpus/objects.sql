-- Object kinds pg_dump writes, created by the database owner (a non-superuser, as Aphrodite's role).
-- The restore corpus (tests/backups/test_restore_corpus.py) dumps this with the real pg_dump,
-- restores it in place and into a fresh database, and compares pg_dump of the result.

CREATE SCHEMA corpus;
CREATE SCHEMA "Mixed Case";

CREATE TYPE corpus.mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE corpus.pair AS (x integer, y text);
CREATE DOMAIN corpus.positive AS integer CHECK (VALUE > 0);
CREATE TYPE corpus.floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
CREATE TYPE public.textrange AS RANGE (subtype = text, collation = "C");

CREATE COLLATION corpus.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE COLLATION public.posix_copy FROM "POSIX";

CREATE TEXT SEARCH DICTIONARY corpus.simple_dict (TEMPLATE = pg_catalog.simple, STOPWORDS = english);
CREATE TEXT SEARCH CONFIGURATION corpus.plain (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION corpus.plain ALTER MAPPING FOR asciiword WITH corpus.simple_dict;
CREATE TEXT SEARCH CONFIGURATION public.plain_public (COPY = pg_catalog.english);
-- in public, which a restore keeps: the table itself is dropped, not its schema
CREATE TABLE public.visits (at date NOT NULL, who text) PARTITION BY RANGE (at);
CREATE TABLE public.visits_2025 PARTITION OF public.visits FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO public.visits VALUES ('2025-03-01', 'someone');

CREATE SEQUENCE corpus.counter START 42 INCREMENT 7;

CREATE TABLE corpus.items (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text COLLATE corpus.ci NOT NULL,
    mood corpus.mood DEFAULT 'ok',
    score corpus.positive,
    span corpus.floatrange,
    label public.textrange,
    doubled integer GENERATED ALWAYS AS (id * 2) STORED,
    body tsvector,
    tally bigint DEFAULT nextval('corpus.counter')
);
CREATE INDEX items_body ON corpus.items USING gin (body);
CREATE INDEX items_lower ON corpus.items (lower(name::text));
CREATE STATISTICS corpus.items_stats (dependencies) ON mood, score FROM corpus.items;
COMMENT ON TABLE corpus.items IS 'items; with a ''quote'' and a ; semicolon';
COMMENT ON COLUMN corpus.items.name IS 'case-insensitive';

CREATE TABLE corpus.children (
    id serial PRIMARY KEY,
    item_id integer REFERENCES corpus.items (id) ON DELETE CASCADE,
    pair corpus.pair
);

CREATE TABLE corpus.events (happened date NOT NULL, what text) PARTITION BY RANGE (happened);
CREATE TABLE corpus.events_2025 PARTITION OF corpus.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE corpus.events_2026 PARTITION OF corpus.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX events_what ON corpus.events (what);

CREATE TABLE corpus.base (id integer, note text);
CREATE TABLE corpus.derived (extra text) INHERITS (corpus.base);

CREATE TABLE "Mixed Case"."Odd Table" ("Odd Column" text, "select" integer);

CREATE FUNCTION corpus.add_one(i integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT i + 1 $$;
CREATE FUNCTION corpus.standard_body(i integer) RETURNS integer LANGUAGE sql
    BEGIN ATOMIC SELECT i * 3; END;
CREATE PROCEDURE corpus.touch(IN n integer) LANGUAGE plpgsql AS $body$
BEGIN
    UPDATE corpus.items SET score = n WHERE id = n;
END
$body$;
CREATE FUNCTION corpus.stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.body := to_tsvector('simple', NEW.name::text);
    RETURN NEW;
END
$$;
CREATE TRIGGER items_stamp BEFORE INSERT OR UPDATE ON corpus.items
    FOR EACH ROW EXECUTE FUNCTION corpus.stamp();

-- A body the restore sends respelled as an escape string: quotes, backslashes, semicolons, dollars.
CREATE FUNCTION corpus.awkward_body() RETURNS text LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE NOTICE 'it''s; a \073 test $$ \\ é';  -- a comment; with a semicolon
    RETURN E'tab\there; ' || $q$ $dollar$; \ $q$;
END
$fn$;

-- Aggregates: plain, ordered-set and hypothetical-set (their identity arguments hold ORDER BY).
CREATE FUNCTION corpus.sum_state(float8, float8) RETURNS float8 LANGUAGE sql IMMUTABLE
    AS $$ SELECT coalesce($1, 0) + $2 $$;
CREATE AGGREGATE corpus.total(float8) (SFUNC = corpus.sum_state, STYPE = float8);
CREATE FUNCTION corpus.collect(float8[], float8) RETURNS float8[] LANGUAGE sql IMMUTABLE
    AS $$ SELECT array_append($1, $2) $$;
CREATE FUNCTION corpus.pick(float8[], float8, float8) RETURNS float8 LANGUAGE sql IMMUTABLE
    AS $$ SELECT $1[greatest(1, ceil($2 * array_length($1, 1))::integer)] $$;
CREATE FUNCTION corpus.rank_of(float8[], float8, float8) RETURNS bigint LANGUAGE sql IMMUTABLE
    AS $$ SELECT count(*) + 1 FROM unnest($1) AS v WHERE v < $2 $$;
CREATE AGGREGATE corpus.my_percentile(float8 ORDER BY float8) (
    SFUNC = corpus.collect, STYPE = float8[], FINALFUNC = corpus.pick, FINALFUNC_EXTRA
);
CREATE AGGREGATE corpus.my_rank(float8 ORDER BY float8) (
    SFUNC = corpus.collect, STYPE = float8[], FINALFUNC = corpus.rank_of, FINALFUNC_EXTRA, HYPOTHETICAL
);

CREATE FUNCTION corpus.mood_eq(corpus.mood, corpus.mood) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT $1 = $2 $$;
CREATE OPERATOR corpus.=== (LEFTARG = corpus.mood, RIGHTARG = corpus.mood, FUNCTION = corpus.mood_eq);

CREATE VIEW corpus.happy_items AS SELECT id, name FROM corpus.items WHERE mood = 'happy';
CREATE MATERIALIZED VIEW corpus.item_counts AS SELECT mood, count(*) AS n FROM corpus.items GROUP BY mood;
CREATE RULE base_note AS ON INSERT TO corpus.base WHERE NEW.note IS NULL DO ALSO INSERT INTO corpus.derived (id, note, extra) VALUES (NEW.id, NULL, 'ruled');

ALTER TABLE corpus.items ENABLE ROW LEVEL SECURITY;
CREATE POLICY items_visible ON corpus.items USING (mood <> 'sad');

CREATE PUBLICATION corpus_pub FOR TABLE corpus.items, corpus.children;

-- A wide table: 400 columns of 50-character names, so COPY's column list is ~21 KB.
DO $$
BEGIN
    EXECUTE 'CREATE TABLE corpus.wide (' || (
        SELECT string_agg(format('%I integer', 'c' || lpad(i::text, 49, '0')), ', ')
        FROM generate_series(1, 400) AS i
    ) || ')';
    EXECUTE 'INSERT INTO corpus.wide SELECT ' || (
        SELECT string_agg(i::text, ', ') FROM generate_series(1, 400) AS i
    );
END
$$;

INSERT INTO corpus.items (name, mood, score, span, label)
SELECT 'item ' || i, (ARRAY['sad', 'ok', 'happy'])[1 + i % 3]::corpus.mood, i,
       corpus.floatrange(i, i + 1.5), public.textrange('a' || i, 'b' || i)
FROM generate_series(1, 200) AS i;
INSERT INTO corpus.children (item_id, pair) SELECT i, ROW(i, 'child ' || i)::corpus.pair FROM generate_series(1, 50) AS i;
INSERT INTO corpus.events VALUES ('2025-06-01', 'one'), ('2026-02-01', 'two');
INSERT INTO corpus.derived VALUES (1, NULL, 'x');
INSERT INTO "Mixed Case"."Odd Table" VALUES ('tab	and "quotes" \ backslash', 1);
REFRESH MATERIALIZED VIEW corpus.item_counts;
SELECT pg_catalog.lo_from_bytea(0, 'a large object'::bytea);
