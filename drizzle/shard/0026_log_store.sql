-- The log store: log text in `log_bodies` (compressed, src/lib/codec), hourly rollups in `log_hours`, and
-- `shard_state` for the online migration's progress. log_hours is WITHOUT ROWID (drizzle-kit cannot declare it): the
-- key is the row, so the insert trigger's upsert writes one row.
CREATE TABLE `log_bodies` (
	`id` integer PRIMARY KEY NOT NULL,
	`response_body` blob,
	`error_message` blob,
	`response_headers` blob
);
--> statement-breakpoint
CREATE TABLE `log_hours` (
	`job` integer NOT NULL,
	`status` integer NOT NULL,
	`hour` integer NOT NULL,
	`n` integer NOT NULL,
	`sum_ms` integer,
	`min_ms` integer,
	`max_ms` integer,
	`sketch` text,
	PRIMARY KEY(`job`, `status`, `hour`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `shard_state` (
	`key` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `logs` ADD `body` integer;