ALTER TABLE `cron_jobs` ADD `disabled_at` integer;--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `disabled_reason` text;