-- PostgreSQL only, run before the migrations at every start (cchc/db/postgres.py): the few DuckDB
-- functions our shared SQL uses, defined here once, so that the shared views and queries serve
-- both engines unchanged. Each one gives what DuckDB 2.0 gives (tests/test_postgres.py).

-- round(double, digits): DuckDB rounds a double half away from zero on x × 10^digits (PostgreSQL
-- has round(numeric, int) only, whose decimal rounding can differ on a binary double's ties).
CREATE OR REPLACE FUNCTION round(x double precision, digits integer) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS 'SELECT sign(x) * floor(abs(x) * power(10::double precision, digits) + 0.5) / power(10::double precision, digits)';

-- list_contains(list, value): value = ANY(list).
CREATE OR REPLACE FUNCTION list_contains(list anyarray, item anyelement) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS 'SELECT item = ANY(list)';

-- string_split(text, separator): string_to_array.
CREATE OR REPLACE FUNCTION string_split(s text, sep text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS 'SELECT string_to_array(s, sep)';

-- arg_max(value, key): the value of the row with the largest key (rows with no key left out), as
-- DuckDB's; for a text value and an integer key, the one pair the shared views use.
CREATE OR REPLACE FUNCTION cchc_arg_max_step(state text[], value text, key integer) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS 'SELECT CASE WHEN key IS NULL OR (state IS NOT NULL AND key <= state[2]::integer) THEN state
               ELSE ARRAY[value, key::text] END';

CREATE OR REPLACE FUNCTION cchc_arg_max_final(state text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS 'SELECT state[1]';

CREATE OR REPLACE AGGREGATE arg_max(text, integer) (
    SFUNC = cchc_arg_max_step, STYPE = text[], FINALFUNC = cchc_arg_max_final, PARALLEL = SAFE
);
