-- Rows of the estimate's marts written by a run other than the given one (0: they are all that run's).
SELECT (SELECT count(*) FROM marts.divergence_monthly WHERE run_id IS DISTINCT FROM $1)
     + (SELECT count(*) FROM marts.bubble_statistics WHERE run_id IS DISTINCT FROM $1)
     + (SELECT count(*) FROM marts.bubble_episodes WHERE run_id IS DISTINCT FROM $1)
     + (SELECT count(*) FROM marts.bubble_sequence WHERE run_id IS DISTINCT FROM $1);
