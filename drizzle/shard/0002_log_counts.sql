CREATE TABLE `log_counts` (
	`cron_job_id` text NOT NULL,
	`account_id` text NOT NULL,
	`day` integer NOT NULL,
	`status` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`cron_job_id`, `day`, `status`)
);
--> statement-breakpoint
CREATE INDEX `log_counts_account_day_idx` ON `log_counts` (`account_id`,`day`);