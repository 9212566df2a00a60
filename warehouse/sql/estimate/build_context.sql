-- The as-of time of the marts being read.
SELECT max(as_of) AS as_of FROM meta.build_context;
