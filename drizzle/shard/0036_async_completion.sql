ALTER TABLE `cron_jobs` ADD `completion_mode` text;--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `completion_timeout_seconds` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `completion_hash` text;--> statement-breakpoint
ALTER TABLE `runs` ADD `started_at` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `deadline_at` integer;--> statement-breakpoint
CREATE INDEX `runs_awaiting_deadline_idx` ON `runs` (`deadline_at`) WHERE "runs"."state" = 2;--> statement-breakpoint
CREATE INDEX `runs_job_awaiting_idx` ON `runs` (`job`,`slot`) WHERE "runs"."state" = 2;