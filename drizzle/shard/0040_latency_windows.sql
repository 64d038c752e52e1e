CREATE TABLE `latency_windows` (
	`job` integer PRIMARY KEY NOT NULL,
	`end_hour` integer NOT NULL,
	`max_ms` integer,
	`sketch` text
);
--> statement-breakpoint
ALTER TABLE `accounts` ADD `metrics_scraped_hour` integer;--> statement-breakpoint
CREATE INDEX `accounts_metrics_scraped_idx` ON `accounts` (`metrics_scraped_hour`) WHERE "accounts"."metrics_scraped_hour" IS NOT NULL;
--> statement-breakpoint
-- Custom SQL: a log landing in or leaving a window's 23 hours (late, swept, deleted) drops the window, which the
-- tick merges again (src/metrics/windows.ts). Any other log leaves it be: one primary-key probe a log.
CREATE TRIGGER `latency_windows_after_log_insert` AFTER INSERT ON `logs` BEGIN
  DELETE FROM `latency_windows` WHERE `job` = NEW.`job`
    AND `end_hour` BETWEEN NEW.`executed_at` / 3600000 AND NEW.`executed_at` / 3600000 + 22;
END;
--> statement-breakpoint
CREATE TRIGGER `latency_windows_after_log_delete` AFTER DELETE ON `logs` BEGIN
  DELETE FROM `latency_windows` WHERE `job` = OLD.`job`
    AND `end_hour` BETWEEN OLD.`executed_at` / 3600000 AND OLD.`executed_at` / 3600000 + 22;
END;
