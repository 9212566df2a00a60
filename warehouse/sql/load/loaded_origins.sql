-- Every payload location already appended (data sets that never change are not fetched again).
SELECT DISTINCT origin FROM meta.load_batches;
