INSERT INTO meta.rejected_rows SELECT $batch_id, $series_id, $origin, line, reason, content, $retrieved_at FROM rejected;
