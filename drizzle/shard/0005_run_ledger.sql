CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`message` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `runs` (
	`id` text PRIMARY KEY NOT NULL,
	`job_id` text NOT NULL,
	`account_id` text NOT NULL,
	`slot` integer NOT NULL,
	`nonce` text,
	`origin` text NOT NULL,
	`attempt` integer NOT NULL,
	`planned_at` integer NOT NULL,
	`state` text NOT NULL,
	`skip_reason` text,
	`lease_until` integer,
	`leases` integer DEFAULT 0 NOT NULL,
	`sent_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `runs_unfinished_idx` ON `runs` (`state`,`planned_at`) WHERE "runs"."state" IN ('queued', 'running');--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `state` text DEFAULT 'active' NOT NULL;--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `last_claimed_slot` integer;--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `last_outcome_slot` integer;--> statement-breakpoint
ALTER TABLE `execution_logs` ADD `scheduled_at` integer;--> statement-breakpoint
ALTER TABLE `execution_logs` ADD `trigger` text DEFAULT 'schedule' NOT NULL;