CREATE TABLE `alert_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`cron_job_id` text NOT NULL,
	`execution_id` text NOT NULL,
	`event` text NOT NULL,
	`channel` text NOT NULL,
	`target` text NOT NULL,
	`payload` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`fired_at` integer NOT NULL,
	`delivered_at` integer,
	`lease_until` integer
);
--> statement-breakpoint
CREATE INDEX `alert_deliveries_job_time_idx` ON `alert_deliveries` (`cron_job_id`,`fired_at`,`id`);--> statement-breakpoint
CREATE TABLE `alert_email_recipients` (
	`account_id` text NOT NULL,
	`email` text NOT NULL,
	`status` text NOT NULL,
	`token_hash` text,
	`created_at` integer NOT NULL,
	`confirmation_sent_at` integer,
	`confirmed_at` integer,
	PRIMARY KEY(`account_id`, `email`)
);
--> statement-breakpoint
CREATE INDEX `alert_email_recipients_token_idx` ON `alert_email_recipients` (`token_hash`);--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `alert_policy` text;--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `alert_streak_alerted_at` integer;--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `alert_last_at` integer;--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `alert_slow_since` integer;