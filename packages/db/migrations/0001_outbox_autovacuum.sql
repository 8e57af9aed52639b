-- The outbox is a queue: every row is inserted and deleted within milliseconds, so dead rows pile up at the rate of
-- calls. With the default thresholds (20 % of a table that is nearly empty by live rows) autovacuum comes rarely and
-- then has hundreds of thousands of dead rows to clean, in the middle of traffic (the benchmark saw end-to-end latency
-- grow tenfold). Vacuum it early and often instead, without throttling.
ALTER TABLE "outbox" SET (
  autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_threshold = 5000,
  autovacuum_vacuum_insert_scale_factor = 0,
  autovacuum_vacuum_insert_threshold = 5000,
  autovacuum_analyze_scale_factor = 0,
  autovacuum_analyze_threshold = 5000,
  autovacuum_vacuum_cost_delay = 0
);
