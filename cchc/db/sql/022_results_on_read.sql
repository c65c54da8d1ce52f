-- The results are computed on read by the views of views/ (re-created at every start), so the
-- figures kept on write (021, in a database that ran it) go, with the views nothing reads any more.
DROP TABLE IF EXISTS unit_figures;
DROP TABLE IF EXISTS results_pending;
DROP VIEW IF EXISTS unit_figures_live;
DROP VIEW IF EXISTS set_field_max;
DROP VIEW IF EXISTS field_parts;
