ALTER TABLE `cron_jobs` ADD `error_executions` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `timeout_executions` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `skipped_paused` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `skipped_missed` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `skipped_calendar` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `skipped_maintenance` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `log_hours` ADD `flags` integer;--> statement-breakpoint
ALTER TABLE `log_hours` ADD `code_min` integer;--> statement-breakpoint
ALTER TABLE `log_hours` ADD `code_max` integer;--> statement-breakpoint
-- Custom SQL: the rollup trigger of 0027 also keeps flags, code_min and code_max (src/logs/rollups.ts LOG_FLAGS
-- says the bits). A row from before has flags NULL, and NULL | bits stays NULL: unknown, never trusted.
DROP TRIGGER `log_hours_after_insert`;
--> statement-breakpoint
CREATE TRIGGER `log_hours_after_insert` AFTER INSERT ON `logs` BEGIN
  INSERT INTO `log_hours` (`job`, `status`, `hour`, `n`, `sum_ms`, `min_ms`, `max_ms`, `sketch`, `flags`, `code_min`, `code_max`)
  VALUES (NEW.`job`, NEW.`status`, NEW.`executed_at` / 3600000, 1, NEW.`response_time_ms`, NEW.`response_time_ms`,
    NEW.`response_time_ms`, CASE WHEN NEW.`status` = 0 AND NEW.`response_time_ms` IS NOT NULL THEN json_object(CASE WHEN NEW.`response_time_ms` <= 0 THEN '-1' ELSE CAST(CAST(ceil(ln(NEW.`response_time_ms`) / 0.010000083334583179) AS INTEGER) AS TEXT) END, 1) END,
    (CASE WHEN NEW.`response_code` IS NULL THEN 1 WHEN NEW.`response_code` BETWEEN 100 AND 599 THEN 2 << (NEW.`response_code` / 100 - 1) ELSE 64 END) | (CASE WHEN NEW.`response_time_ms` IS NULL THEN 128 ELSE 0 END),
    NEW.`response_code`, NEW.`response_code`)
  ON CONFLICT (`job`, `status`, `hour`) DO UPDATE SET
    `n` = `n` + 1,
    `sum_ms` = coalesce(`sum_ms` + excluded.`sum_ms`, `sum_ms`, excluded.`sum_ms`),
    `min_ms` = coalesce(min(`min_ms`, excluded.`min_ms`), `min_ms`, excluded.`min_ms`),
    `max_ms` = coalesce(max(`max_ms`, excluded.`max_ms`), `max_ms`, excluded.`max_ms`),
    `sketch` = CASE WHEN NEW.`status` = 0 AND NEW.`response_time_ms` IS NOT NULL THEN json_set(coalesce(`sketch`, '{}'), '$."' || CASE WHEN NEW.`response_time_ms` <= 0 THEN '-1' ELSE CAST(CAST(ceil(ln(NEW.`response_time_ms`) / 0.010000083334583179) AS INTEGER) AS TEXT) END || '"',
      coalesce(json_extract(`sketch`, '$."' || CASE WHEN NEW.`response_time_ms` <= 0 THEN '-1' ELSE CAST(CAST(ceil(ln(NEW.`response_time_ms`) / 0.010000083334583179) AS INTEGER) AS TEXT) END || '"'), 0) + 1) ELSE `sketch` END,
    `flags` = `flags` | excluded.`flags`,
    `code_min` = coalesce(min(`code_min`, excluded.`code_min`), `code_min`, excluded.`code_min`),
    `code_max` = coalesce(max(`code_max`, excluded.`code_max`), `code_max`, excluded.`code_max`);
END;
