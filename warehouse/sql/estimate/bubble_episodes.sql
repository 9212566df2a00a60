-- Explosive episodes dated by the BSADF sequence (from the registered frame bubble_episodes_frame).
CREATE OR REPLACE TABLE marts.bubble_episodes AS
SELECT
    CAST(series AS VARCHAR) AS series,
    CAST("start" AS DATE) AS "start",
    CAST(peak AS DATE) AS peak,
    CAST("end" AS DATE) AS "end",
    CAST(duration AS INTEGER) AS duration,
    CAST(ongoing AS BOOLEAN) AS ongoing,
    CAST(peak_bsadf AS DOUBLE) AS peak_bsadf,
    CAST(overlaps_ragged_edge AS BOOLEAN) AS overlaps_ragged_edge,
    CAST(synthetic AS BOOLEAN) AS synthetic,
    CAST(run_id AS VARCHAR) AS run_id
FROM bubble_episodes_frame
ORDER BY series, "start";

COMMENT ON TABLE marts.bubble_episodes IS 'Explosive episodes (PSY 2015): BSADF above its Monte Carlo critical value for at least round(log T) months, in series whose GSADF rejects; as exuber''s datestamp.';
COMMENT ON COLUMN marts.bubble_episodes.series IS 'Series (marts.bubble_statistics.series).';
COMMENT ON COLUMN marts.bubble_episodes.start IS 'First month with BSADF above its critical value.';
COMMENT ON COLUMN marts.bubble_episodes.peak IS 'Month of the highest BSADF within the episode.';
COMMENT ON COLUMN marts.bubble_episodes."end" IS 'First month back at or below the critical value; NULL while ongoing.';
COMMENT ON COLUMN marts.bubble_episodes.duration IS 'Months from start to end (to the last month plus one when ongoing).';
COMMENT ON COLUMN marts.bubble_episodes.ongoing IS 'True when the episode runs to the last month of the series.';
COMMENT ON COLUMN marts.bubble_episodes.peak_bsadf IS 'BSADF at the peak.';
COMMENT ON COLUMN marts.bubble_episodes.overlaps_ragged_edge IS 'True when the episode includes months whose revenue is nowcast or carried forward.';
COMMENT ON COLUMN marts.bubble_episodes.synthetic IS 'True when built from the synthetic sample.';
COMMENT ON COLUMN marts.bubble_episodes.run_id IS 'The run that estimated the row.';
