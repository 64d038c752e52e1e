CREATE TABLE `deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`source` text NOT NULL,
	`source_id` text NOT NULL,
	`execution_id` text,
	`kind` text NOT NULL,
	`event` text NOT NULL,
	`channel` text,
	`target` text NOT NULL,
	`payload` text NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_status_code` integer,
	`last_error` text,
	`next_attempt_at` integer,
	`fired_at` integer NOT NULL,
	`delivered_at` integer,
	`lease_until` integer
);
--> statement-breakpoint
CREATE INDEX `deliveries_account_time_idx` ON `deliveries` (`account_id`,`fired_at`,`id`);--> statement-breakpoint
CREATE INDEX `deliveries_source_time_idx` ON `deliveries` (`source_id`,`fired_at`,`id`);