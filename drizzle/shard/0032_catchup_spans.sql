ALTER TABLE `cron_jobs` ADD `catchup` text DEFAULT 'latest' NOT NULL;--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `max_lateness_seconds` integer;--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `missed_from` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `last_slot` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `slot_count` integer;--> statement-breakpoint
CREATE INDEX `runs_job_span_idx` ON `runs` (`job`,`last_slot`) WHERE "runs"."last_slot" IS NOT NULL;