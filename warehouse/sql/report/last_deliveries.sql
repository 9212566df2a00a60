-- The last delivery attempt of each recent month.
SELECT month, status, attempted_at, recipients, attempts, error
FROM meta.report_deliveries
QUALIFY row_number() OVER (PARTITION BY month ORDER BY attempted_at DESC) = 1
ORDER BY month DESC
LIMIT 3;
