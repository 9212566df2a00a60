-- Days after a fiscal quarter's end before it counts as overdue (read by the marts with getvariable).
SET VARIABLE filing_lag_days = ?;
