-- Custom SQL migration file, put your code below! --
-- The sweep is the only path that deletes logs, and it now subtracts each chunk's counts from log_counts in one
-- grouped UPDATE in the same batch as the DELETE (src/retention/sweep.ts). The per-row trigger did the same work
-- row by row and cost more than half of the sweep's time (bench/RESULTS.md), so it goes.
DROP TRIGGER IF EXISTS `log_counts_after_delete`;
