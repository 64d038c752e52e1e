CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`signing_secret` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`secret_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `api_keys_account_idx` ON `api_keys` (`account_id`);--> statement-breakpoint
CREATE TABLE `cron_jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`endpoint_url` text NOT NULL,
	`method` text NOT NULL,
	`headers` text DEFAULT '{}' NOT NULL,
	`body` text,
	`timezone` text NOT NULL,
	`schedule` text NOT NULL,
	`schedule_config` text NOT NULL,
	`schedule_anchor_at` integer NOT NULL,
	`is_active` integer DEFAULT true NOT NULL,
	`timeout_seconds` integer DEFAULT 30 NOT NULL,
	`max_retries` integer DEFAULT 3 NOT NULL,
	`retry_delay_seconds` integer DEFAULT 60 NOT NULL,
	`retry_config` text DEFAULT '{}' NOT NULL,
	`callbacks` text DEFAULT '{}' NOT NULL,
	`success_callback_url` text,
	`failure_callback_url` text,
	`tags` text DEFAULT '[]' NOT NULL,
	`next_run_at` integer,
	`last_run_at` integer,
	`last_run_status` text,
	`consecutive_failures` integer DEFAULT 0 NOT NULL,
	`occurrences` integer DEFAULT 0 NOT NULL,
	`total_executions` integer DEFAULT 0 NOT NULL,
	`successful_executions` integer DEFAULT 0 NOT NULL,
	`failed_executions` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `cron_jobs_account_created_idx` ON `cron_jobs` (`account_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `cron_jobs_due_idx` ON `cron_jobs` (`next_run_at`) WHERE "cron_jobs"."is_active" = 1 AND "cron_jobs"."deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `cron_jobs_deleted_idx` ON `cron_jobs` (`deleted_at`) WHERE "cron_jobs"."deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE TABLE `execution_logs` (
	`id` text PRIMARY KEY NOT NULL,
	`cron_job_id` text NOT NULL,
	`account_id` text NOT NULL,
	`executed_at` integer NOT NULL,
	`status` text NOT NULL,
	`response_code` integer,
	`response_body` text,
	`error_message` text,
	`response_time_ms` integer,
	`retry_attempt` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `execution_logs_job_time_idx` ON `execution_logs` (`cron_job_id`,`executed_at`,`id`);--> statement-breakpoint
CREATE INDEX `execution_logs_job_status_time_idx` ON `execution_logs` (`cron_job_id`,`status`,`executed_at`,`id`);--> statement-breakpoint
CREATE INDEX `execution_logs_time_idx` ON `execution_logs` (`executed_at`);