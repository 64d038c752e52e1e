CREATE TABLE `calendars` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`timezone` text DEFAULT 'UTC' NOT NULL,
	`dates` text DEFAULT '[]' NOT NULL,
	`ranges` text DEFAULT '[]' NOT NULL,
	`recurring` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `calendars_account_created_idx` ON `calendars` (`account_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `maintenance_windows` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`name` text,
	`start_at` integer,
	`end_at` integer,
	`recurrence` text,
	`timezone` text DEFAULT 'UTC' NOT NULL,
	`action` text NOT NULL,
	`job_ids` text DEFAULT '[]' NOT NULL,
	`monitor_ids` text DEFAULT '[]' NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `maintenance_windows_account_created_idx` ON `maintenance_windows` (`account_id`,`created_at`,`id`);