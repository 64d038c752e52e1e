ALTER TABLE `cron_jobs` ADD `secret_headers` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `secret_query_params` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `body_is_secret` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `secrets` text;