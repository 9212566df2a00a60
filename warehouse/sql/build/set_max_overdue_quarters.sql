-- Quarters overdue beyond which a basket member's revenue is too stale to count (getvariable in the marts).
SET VARIABLE max_overdue_quarters = ?;
