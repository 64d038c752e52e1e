ALTER TABLE `cron_jobs` ADD `paused_until` integer;--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `pause_reason` text;--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `paused_at` integer;--> statement-breakpoint
CREATE INDEX `cron_jobs_resume_idx` ON `cron_jobs` (`paused_until`) WHERE "cron_jobs"."paused_until" IS NOT NULL AND "cron_jobs"."deleted_at" IS NULL;