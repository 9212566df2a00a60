-- Single-valued series (hiring, macro, funding, progress): the 'value' field with the series' kind.
CREATE OR REPLACE VIEW staging.stg_series_values AS
SELECT
    o.series_id,
    c.kind,
    c.frequency,
    o.entity,
    o.obs_date,
    o.value,
    o.unit,
    o.retrieved_at,
    o.vintages,
    o.synthetic
FROM staging.stg_observations AS o
JOIN meta.series_catalog AS c USING (series_id)
-- Yields read from Yahoo files (^TNX, ^IRX) carry their value in adj_close.
WHERE o.field IN ('value', 'adj_close') AND c.kind IN ('hiring', 'macro', 'funding', 'progress');
