UPDATE meta.runs SET finished_at = ?, status = ?, rows_added = ?, message = ? WHERE run_id = ?;
