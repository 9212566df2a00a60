-- Rows of the forecast's marts written by a run other than the given one (0: they are all that run's).
SELECT (SELECT count(*) FROM marts.cooling_forecast WHERE run_id IS DISTINCT FROM $1)
     + (SELECT count(*) FROM marts.cooling_probability WHERE run_id IS DISTINCT FROM $1)
     + (SELECT count(*) FROM marts.regime_probabilities WHERE run_id IS DISTINCT FROM $1)
     + (SELECT count(*) FROM marts.forecast_news WHERE run_id IS DISTINCT FROM $1);
