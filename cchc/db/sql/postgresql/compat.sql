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
