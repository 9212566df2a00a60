SELECT max(attempted_at) FROM meta.report_deliveries WHERE month = ? AND status = 'sent';
