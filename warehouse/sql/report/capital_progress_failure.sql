-- Why the capital-progress model left its tables empty, when it failed: its warning in the latest estimate run.
SELECT w.warning
FROM (SELECT unnest(warnings) AS warning, status, estimated_at
      FROM meta.model_runs
      WHERE model = 'capital_progress'
      ORDER BY estimated_at DESC
      LIMIT 1) AS w
WHERE w.status = 'failed';
