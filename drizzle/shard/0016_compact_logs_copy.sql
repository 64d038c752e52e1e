-- Custom SQL migration file, put your code below! --
-- Compact logs (issue 12), part 2: numbers for accounts and jobs, the compact tables made WITHOUT ROWID, the stored
-- logs copied with their ids preserved exactly, and the log-count trigger. src/db/schema.ts explains the layout.
--
-- Shard-local numbers: every existing row gets one (in creation order), and an insert trigger numbers every new row
-- (max + 1) whoever inserts (API, CLI, seeders, fixtures), so no writer has to know. Not the rowid: VACUUM may
-- renumber the rowids of a table without an INTEGER PRIMARY KEY.
UPDATE `accounts` SET `num` = r.n
FROM (SELECT `id`, row_number() OVER (ORDER BY `created_at`, `id`) AS n FROM `accounts`) AS r
WHERE r.`id` = `accounts`.`id`;
--> statement-breakpoint
UPDATE `cron_jobs` SET `num` = r.n
FROM (SELECT `id`, row_number() OVER (ORDER BY `created_at`, `id`) AS n FROM `cron_jobs`) AS r
WHERE r.`id` = `cron_jobs`.`id`;
--> statement-breakpoint
CREATE TRIGGER `accounts_assign_num` AFTER INSERT ON `accounts` WHEN NEW.`num` IS NULL BEGIN
  UPDATE `accounts` SET `num` = (SELECT coalesce(max(`num`), 0) + 1 FROM `accounts`) WHERE `id` = NEW.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `cron_jobs_assign_num` AFTER INSERT ON `cron_jobs` WHEN NEW.`num` IS NULL BEGIN
  UPDATE `cron_jobs` SET `num` = (SELECT coalesce(max(`num`), 0) + 1 FROM `cron_jobs`) WHERE `id` = NEW.`id`;
END;
--> statement-breakpoint
-- drizzle-kit cannot declare WITHOUT ROWID: recreate both (empty) tables from 0015 with the same columns and
-- indexes as WITHOUT ROWID, so the primary key is the row (a log insert writes the row and its two index entries).
DROP TABLE `logs`;
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
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `logs_job_time_idx` ON `logs` (`job`,`executed_at`,`slot`,`id_hi`,`id_lo`,`status`);
--> statement-breakpoint
CREATE INDEX `logs_account_time_idx` ON `logs` (`account`,`executed_at`,`slot`,`id_hi`,`id_lo`,`job`,`status`);
--> statement-breakpoint
DROP TABLE `log_day_counts`;
--> statement-breakpoint
CREATE TABLE `log_day_counts` (
	`job` integer NOT NULL,
	`day` integer NOT NULL,
	`status` integer NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`job`, `day`, `status`)
) WITHOUT ROWID;
--> statement-breakpoint
-- The stored logs, ids preserved exactly: `exe_` + 10 Crockford characters of the slot + 16 of the hash, decoded
-- into (slot, id_hi, id_lo) (src/engine/execution-id.ts rebuilds the same text); any other id of at most 12 printable
-- characters (hand-written rows) packed as src/logs/log-key.ts does, with a slot placing it where its text sorts.
-- Status and decided_by become their
-- index in src/db/schema.ts's lists; trigger and scheduled_at become kind: 0 schedule (scheduled_at = slot),
-- 1 retry with a slot, 2 manual, 3 retry without a slot, 4 a schedule run logged before the run ledger
-- (scheduled_at null). Logs of jobs no longer in cron_jobs (purged) were unreachable and are not copied.
INSERT INTO `logs` (`slot`, `id_hi`, `id_lo`, `job`, `account`, `executed_at`, `status`, `kind`, `response_code`,
  `response_time_ms`, `retry_attempt`, `decided_by`, `error_message`, `response_headers`, `response_body`)
SELECT
  CASE WHEN (length(l.`id`) = 30 AND substr(l.`id`, 1, 4) = 'exe_' AND ltrim(substr(l.`id`, 5), '0123456789ABCDEFGHJKMNPQRSTVWXYZ') = '') THEN ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 5, 1)) - 1) << 45) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 6, 1)) - 1) << 40) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 7, 1)) - 1) << 35) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 8, 1)) - 1) << 30) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 9, 1)) - 1) << 25) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 10, 1)) - 1) << 20) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 11, 1)) - 1) << 15) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 12, 1)) - 1) << 10) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 13, 1)) - 1) << 5) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 14, 1)) - 1) << 0) WHEN substr(l.`id`, 1, 4) = 'exe_' THEN CASE WHEN substr(l.`id`, 5) > 'Z' THEN 1125899906842624 ELSE -1 END WHEN l.`id` > 'exe_' THEN 1125899906842625 ELSE -2 END,
  CASE WHEN (length(l.`id`) = 30 AND substr(l.`id`, 1, 4) = 'exe_' AND ltrim(substr(l.`id`, 5), '0123456789ABCDEFGHJKMNPQRSTVWXYZ') = '') THEN ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 15, 1)) - 1) << 35) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 16, 1)) - 1) << 30) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 17, 1)) - 1) << 25) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 18, 1)) - 1) << 20) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 19, 1)) - 1) << 15) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 20, 1)) - 1) << 10) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 21, 1)) - 1) << 5) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 22, 1)) - 1) << 0) ELSE (coalesce(unicode(substr(CASE WHEN substr(l.`id`, 1, 4) = 'exe_' THEN substr(l.`id`, 5) ELSE l.`id` END, 1, 1)), 32) - 32) * 8153726976 + (coalesce(unicode(substr(CASE WHEN substr(l.`id`, 1, 4) = 'exe_' THEN substr(l.`id`, 5) ELSE l.`id` END, 2, 1)), 32) - 32) * 84934656 + (coalesce(unicode(substr(CASE WHEN substr(l.`id`, 1, 4) = 'exe_' THEN substr(l.`id`, 5) ELSE l.`id` END, 3, 1)), 32) - 32) * 884736 + (coalesce(unicode(substr(CASE WHEN substr(l.`id`, 1, 4) = 'exe_' THEN substr(l.`id`, 5) ELSE l.`id` END, 4, 1)), 32) - 32) * 9216 + (coalesce(unicode(substr(CASE WHEN substr(l.`id`, 1, 4) = 'exe_' THEN substr(l.`id`, 5) ELSE l.`id` END, 5, 1)), 32) - 32) * 96 + (coalesce(unicode(substr(CASE WHEN substr(l.`id`, 1, 4) = 'exe_' THEN substr(l.`id`, 5) ELSE l.`id` END, 6, 1)), 32) - 32) * 1 END,
  CASE WHEN (length(l.`id`) = 30 AND substr(l.`id`, 1, 4) = 'exe_' AND ltrim(substr(l.`id`, 5), '0123456789ABCDEFGHJKMNPQRSTVWXYZ') = '') THEN ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 23, 1)) - 1) << 35) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 24, 1)) - 1) << 30) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 25, 1)) - 1) << 25) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 26, 1)) - 1) << 20) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 27, 1)) - 1) << 15) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 28, 1)) - 1) << 10) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 29, 1)) - 1) << 5) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(l.`id`, 30, 1)) - 1) << 0) ELSE (coalesce(unicode(substr(CASE WHEN substr(l.`id`, 1, 4) = 'exe_' THEN substr(l.`id`, 5) ELSE l.`id` END, 7, 1)), 32) - 32) * 8153726976 + (coalesce(unicode(substr(CASE WHEN substr(l.`id`, 1, 4) = 'exe_' THEN substr(l.`id`, 5) ELSE l.`id` END, 8, 1)), 32) - 32) * 84934656 + (coalesce(unicode(substr(CASE WHEN substr(l.`id`, 1, 4) = 'exe_' THEN substr(l.`id`, 5) ELSE l.`id` END, 9, 1)), 32) - 32) * 884736 + (coalesce(unicode(substr(CASE WHEN substr(l.`id`, 1, 4) = 'exe_' THEN substr(l.`id`, 5) ELSE l.`id` END, 10, 1)), 32) - 32) * 9216 + (coalesce(unicode(substr(CASE WHEN substr(l.`id`, 1, 4) = 'exe_' THEN substr(l.`id`, 5) ELSE l.`id` END, 11, 1)), 32) - 32) * 96 + (coalesce(unicode(substr(CASE WHEN substr(l.`id`, 1, 4) = 'exe_' THEN substr(l.`id`, 5) ELSE l.`id` END, 12, 1)), 32) - 32) * 1 END,
  j.`num`, a.`num`, l.`executed_at`,
  CASE l.`status` WHEN 'success' THEN 0 WHEN 'failure' THEN 1 WHEN 'error' THEN 2 ELSE 3 END,
  CASE
    WHEN l.`trigger` = 'manual' THEN 2
    WHEN l.`trigger` = 'retry' THEN CASE WHEN l.`scheduled_at` IS NULL THEN 3 ELSE 1 END
    WHEN l.`scheduled_at` IS NULL THEN 4
    ELSE 0
  END,
  l.`response_code`, l.`response_time_ms`, l.`retry_attempt`,
  CASE l.`decided_by` WHEN 'status_codes' THEN 0 WHEN 'body_contains' THEN 1 WHEN 'body_not_contains' THEN 2 END,
  l.`error_message`, l.`response_headers`, l.`response_body`
FROM `execution_logs` l
JOIN `cron_jobs` j ON j.`id` = l.`cron_job_id`
JOIN `accounts` a ON a.`id` = l.`account_id`
WHERE ((length(l.`id`) = 30 AND substr(l.`id`, 1, 4) = 'exe_' AND ltrim(substr(l.`id`, 5), '0123456789ABCDEFGHJKMNPQRSTVWXYZ') = '') OR (length(CASE WHEN substr(l.`id`, 1, 4) = 'exe_' THEN substr(l.`id`, 5) ELSE l.`id` END) BETWEEN 1 AND 12 AND CASE WHEN substr(l.`id`, 1, 4) = 'exe_' THEN substr(l.`id`, 5) ELSE l.`id` END NOT GLOB '*[^!-~]*'))
ON CONFLICT DO NOTHING;
--> statement-breakpoint
-- The counts recomputed from the logs just copied (rather than copied from log_counts), so they match them exactly.
INSERT INTO `log_day_counts` (`job`, `day`, `status`, `n`)
SELECT `job`, `executed_at` / 86400000, `status`, count(*) FROM `logs` WHERE true GROUP BY 1, 2, 3;
--> statement-breakpoint
-- Every new log adds to its job/day/status count in the same statement, whoever writes (as 0003 did); the sweep,
-- the only path that deletes logs, subtracts each chunk in its own batch (src/retention/sweep.ts).
CREATE TRIGGER `log_day_counts_after_insert` AFTER INSERT ON `logs` BEGIN
  INSERT INTO `log_day_counts` (`job`, `day`, `status`, `n`)
  VALUES (NEW.`job`, NEW.`executed_at` / 86400000, NEW.`status`, 1)
  ON CONFLICT (`job`, `day`, `status`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `log_day_counts_after_update` AFTER UPDATE OF `job`, `executed_at`, `status` ON `logs` BEGIN
  UPDATE `log_day_counts` SET `n` = `n` - 1
  WHERE `job` = OLD.`job` AND `day` = OLD.`executed_at` / 86400000 AND `status` = OLD.`status`;
  INSERT INTO `log_day_counts` (`job`, `day`, `status`, `n`)
  VALUES (NEW.`job`, NEW.`executed_at` / 86400000, NEW.`status`, 1)
  ON CONFLICT (`job`, `day`, `status`) DO UPDATE SET `n` = `n` + 1;
END;
