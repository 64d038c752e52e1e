ALTER TABLE `cron_jobs` ADD `jitter_seconds` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `overlap_policy` text DEFAULT 'allow' NOT NULL;--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `skipped_runs` integer DEFAULT 0 NOT NULL;