-- Rows of the thesis's marts written by a run other than the given one (0: they are all that run's).
SELECT (SELECT count(*) FROM marts.tech_basket_monthly WHERE run_id IS DISTINCT FROM $1)
     + (SELECT count(*) FROM marts.thesis_tests WHERE run_id IS DISTINCT FROM $1);
