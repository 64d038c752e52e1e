DROP TABLE `api_keys`;--> statement-breakpoint
ALTER TABLE `accounts` ADD `fenced_at` integer;