-- The run ledger WITHOUT ROWID (issue 12: rows written per execution). A rowid table keyed by a text id keeps the id
-- twice (the row and sqlite_autoindex_runs_1), so every insert wrote one more row; keyed by the id itself, an insert
-- writes the row and runs_job_unfinished_idx only. Same columns, same order, same data.
CREATE TABLE `__runs_without_rowid` (
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
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__runs_without_rowid` SELECT `id`, `job_id`, `account_id`, `slot`, `nonce`, `origin`, `attempt`, `planned_at`, `state`, `skip_reason`, `lease_until`, `leases`, `sent_at`, `created_at` FROM `runs`;
--> statement-breakpoint
DROP TABLE `runs`;
--> statement-breakpoint
ALTER TABLE `__runs_without_rowid` RENAME TO `runs`;
--> statement-breakpoint
CREATE INDEX `runs_job_unfinished_idx` ON `runs` (`job_id`,`slot`) WHERE "runs"."state" IN ('queued', 'running');
