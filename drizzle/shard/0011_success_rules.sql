ALTER TABLE `cron_jobs` ADD `success_rules` text;--> statement-breakpoint
ALTER TABLE `execution_logs` ADD `decided_by` text;