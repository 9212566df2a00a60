INSERT OR REPLACE INTO meta.series_catalog SELECT * FROM catalog_series;
