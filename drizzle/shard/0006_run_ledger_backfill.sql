-- Custom SQL migration file, put your code below! --
-- A paused job was is_active = 0 until now; every active one stays active (a schedule that had ended before
-- this migration was already switched off, and is kept as paused: nothing distinguishes it any more).
UPDATE `cron_jobs` SET `state` = CASE WHEN `is_active` = 1 THEN 'active' ELSE 'paused' END;
--> statement-breakpoint
-- `notify: "always"` (and no notify at all, whose default was "always") meant "the final outcome only",
-- which is now called "final"; "attempt" is the new default for new jobs only, so stored jobs keep their behaviour.
UPDATE `cron_jobs` SET `callbacks` = json_set(`callbacks`, '$.notify', 'final')
WHERE json_extract(`callbacks`, '$.notify') IS NULL OR json_extract(`callbacks`, '$.notify') = 'always';
--> statement-breakpoint
-- Attempts after the first were retries; first attempts stay "schedule" (manual runs were not told apart before).
UPDATE `execution_logs` SET `trigger` = 'retry' WHERE `retry_attempt` > 0;
