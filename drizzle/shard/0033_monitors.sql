CREATE TABLE `monitor_pings` (
	`id` integer PRIMARY KEY NOT NULL,
	`monitor` integer NOT NULL,
	`at` integer NOT NULL,
	`kind` integer NOT NULL,
	`method` integer NOT NULL,
	`exit_status` integer,
	`rid` text,
	`duration_ms` integer,
	`body` blob
);
--> statement-breakpoint
CREATE INDEX `monitor_pings_monitor_time_idx` ON `monitor_pings` (`monitor`,`at`);--> statement-breakpoint
CREATE INDEX `monitor_pings_rid_idx` ON `monitor_pings` (`monitor`,`rid`) WHERE "monitor_pings"."rid" IS NOT NULL;--> statement-breakpoint
CREATE TABLE `monitors` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`period_seconds` integer,
	`cron` text,
	`timezone` text DEFAULT 'UTC' NOT NULL,
	`grace_seconds` integer NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`alert_policy` text,
	`secrets` text,
	`state` text DEFAULT 'new' NOT NULL,
	`state_changed_at` integer,
	`last_ping_at` integer,
	`last_start_at` integer,
	`open_start_at` integer,
	`open_start_rid` text,
	`last_duration_ms` integer,
	`next_expected_at` integer,
	`down_at` integer,
	`config_version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer,
	`num` integer,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `monitors_num_unique` ON `monitors` (`num`);--> statement-breakpoint
CREATE UNIQUE INDEX `monitors_account_slug_idx` ON `monitors` (`account_id`,`slug`) WHERE "monitors"."deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `monitors_account_created_idx` ON `monitors` (`account_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `monitors_down_idx` ON `monitors` (`down_at`) WHERE "monitors"."down_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `monitors_deleted_idx` ON `monitors` (`deleted_at`) WHERE "monitors"."deleted_at" IS NOT NULL;--> statement-breakpoint
-- Numbers for monitors inserted without one (an account move's copy), as cron_jobs_assign_num does for jobs.
CREATE TRIGGER `monitors_assign_num` AFTER INSERT ON `monitors` WHEN NEW.`num` IS NULL BEGIN
  UPDATE `monitors` SET `num` = (SELECT coalesce(max(`num`), 0) + 1 FROM `monitors`) WHERE `id` = NEW.`id`;
END;
