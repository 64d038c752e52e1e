CREATE TABLE `log_day_counts` (
	`job` integer NOT NULL,
	`day` integer NOT NULL,
	`status` integer NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`job`, `day`, `status`)
);
--> statement-breakpoint
CREATE TABLE `logs` (
	`slot` integer NOT NULL,
	`id_hi` integer NOT NULL,
	`id_lo` integer NOT NULL,
	`job` integer NOT NULL,
	`account` integer NOT NULL,
	`executed_at` integer NOT NULL,
	`status` integer NOT NULL,
	`kind` integer NOT NULL,
	`response_code` integer,
	`response_time_ms` integer,
	`retry_attempt` integer DEFAULT 0 NOT NULL,
	`decided_by` integer,
	`error_message` text,
	`response_headers` text,
	`response_body` text,
	PRIMARY KEY(`slot`, `id_hi`, `id_lo`)
);
--> statement-breakpoint
CREATE INDEX `logs_job_time_idx` ON `logs` (`job`,`executed_at`,`slot`,`id_hi`,`id_lo`,`status`);--> statement-breakpoint
CREATE INDEX `logs_account_time_idx` ON `logs` (`account`,`executed_at`,`slot`,`id_hi`,`id_lo`,`job`,`status`);--> statement-breakpoint
ALTER TABLE `accounts` ADD `num` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_num_unique` ON `accounts` (`num`);--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `num` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `cron_jobs_num_unique` ON `cron_jobs` (`num`);