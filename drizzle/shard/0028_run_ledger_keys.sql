-- The run ledger keyed by integers (issue 22, item 3): `runs` becomes (job, slot, id_hi, id_lo) like `logs`, with
-- state / reason / origin as small integers (src/db/schema.ts runStates, runReasons, runOrigins). Online, without a
-- second copy: the old table is renamed `runs_v1` (O(1)) and keeps its finished rows until they move in chunks
-- (src/engine/ledger.ts moveLegacyRunsChunk) or expire (the sweep's deleteRunsBefore), only the unfinished rows (a
-- handful: runs in flight) are copied here, so messages in flight find their row under its new key.
-- WITHOUT ROWID (drizzle-kit cannot declare it): the key is the row, so an insert writes the row and
-- runs_job_unfinished_idx only. Index names are per database: the old partial index goes before the new one.
DROP INDEX `runs_job_unfinished_idx`;
--> statement-breakpoint
ALTER TABLE `runs` RENAME TO `runs_v1`;
--> statement-breakpoint
CREATE TABLE `runs` (
	`job` integer NOT NULL,
	`slot` integer NOT NULL,
	`id_hi` integer NOT NULL,
	`id_lo` integer NOT NULL,
	`account` integer NOT NULL,
	`attempt` integer NOT NULL,
	`origin` integer NOT NULL,
	`state` integer NOT NULL,
	`reason` integer,
	`planned_at` integer NOT NULL,
	`lease_until` integer,
	`leases` integer DEFAULT 0 NOT NULL,
	`sent_at` integer,
	`nonce` text,
	PRIMARY KEY(`job`, `slot`, `id_hi`, `id_lo`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `runs_job_unfinished_idx` ON `runs` (`job`,`slot`) WHERE "runs"."state" IN (0, 1);
--> statement-breakpoint
-- Unfinished rows (queued 0, running 1) under their new key: the id split by migration 0018's expression (an
-- execution id's slot, then its two 40-bit halves), the job and account ids as their numbers. A row whose job or
-- account is gone has nothing left to run and is not copied, the DELETE below drops it with the others.
INSERT INTO `runs` (`job`, `slot`, `id_hi`, `id_lo`, `account`, `attempt`, `origin`, `state`, `reason`, `planned_at`,
  `lease_until`, `leases`, `sent_at`, `nonce`)
SELECT
  j.`num`,
  CASE WHEN (length(r.`id`) = 30 AND substr(r.`id`, 1, 4) = 'exe_' AND ltrim(substr(r.`id`, 5), '0123456789ABCDEFGHJKMNPQRSTVWXYZ') = '') THEN ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 5, 1)) - 1) << 45) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 6, 1)) - 1) << 40) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 7, 1)) - 1) << 35) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 8, 1)) - 1) << 30) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 9, 1)) - 1) << 25) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 10, 1)) - 1) << 20) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 11, 1)) - 1) << 15) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 12, 1)) - 1) << 10) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 13, 1)) - 1) << 5) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 14, 1)) - 1) << 0) WHEN substr(r.`id`, 1, 4) = 'exe_' THEN CASE WHEN substr(r.`id`, 5) > 'Z' THEN 1125899906842624 ELSE -1 END WHEN r.`id` > 'exe_' THEN 1125899906842625 ELSE -2 END,
  CASE WHEN (length(r.`id`) = 30 AND substr(r.`id`, 1, 4) = 'exe_' AND ltrim(substr(r.`id`, 5), '0123456789ABCDEFGHJKMNPQRSTVWXYZ') = '') THEN ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 15, 1)) - 1) << 35) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 16, 1)) - 1) << 30) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 17, 1)) - 1) << 25) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 18, 1)) - 1) << 20) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 19, 1)) - 1) << 15) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 20, 1)) - 1) << 10) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 21, 1)) - 1) << 5) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 22, 1)) - 1) << 0) ELSE (coalesce(unicode(substr(CASE WHEN substr(r.`id`, 1, 4) = 'exe_' THEN substr(r.`id`, 5) ELSE r.`id` END, 1, 1)), 32) - 32) * 8153726976 + (coalesce(unicode(substr(CASE WHEN substr(r.`id`, 1, 4) = 'exe_' THEN substr(r.`id`, 5) ELSE r.`id` END, 2, 1)), 32) - 32) * 84934656 + (coalesce(unicode(substr(CASE WHEN substr(r.`id`, 1, 4) = 'exe_' THEN substr(r.`id`, 5) ELSE r.`id` END, 3, 1)), 32) - 32) * 884736 + (coalesce(unicode(substr(CASE WHEN substr(r.`id`, 1, 4) = 'exe_' THEN substr(r.`id`, 5) ELSE r.`id` END, 4, 1)), 32) - 32) * 9216 + (coalesce(unicode(substr(CASE WHEN substr(r.`id`, 1, 4) = 'exe_' THEN substr(r.`id`, 5) ELSE r.`id` END, 5, 1)), 32) - 32) * 96 + (coalesce(unicode(substr(CASE WHEN substr(r.`id`, 1, 4) = 'exe_' THEN substr(r.`id`, 5) ELSE r.`id` END, 6, 1)), 32) - 32) * 1 END,
  CASE WHEN (length(r.`id`) = 30 AND substr(r.`id`, 1, 4) = 'exe_' AND ltrim(substr(r.`id`, 5), '0123456789ABCDEFGHJKMNPQRSTVWXYZ') = '') THEN ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 23, 1)) - 1) << 35) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 24, 1)) - 1) << 30) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 25, 1)) - 1) << 25) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 26, 1)) - 1) << 20) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 27, 1)) - 1) << 15) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 28, 1)) - 1) << 10) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 29, 1)) - 1) << 5) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(r.`id`, 30, 1)) - 1) << 0) ELSE (coalesce(unicode(substr(CASE WHEN substr(r.`id`, 1, 4) = 'exe_' THEN substr(r.`id`, 5) ELSE r.`id` END, 7, 1)), 32) - 32) * 8153726976 + (coalesce(unicode(substr(CASE WHEN substr(r.`id`, 1, 4) = 'exe_' THEN substr(r.`id`, 5) ELSE r.`id` END, 8, 1)), 32) - 32) * 84934656 + (coalesce(unicode(substr(CASE WHEN substr(r.`id`, 1, 4) = 'exe_' THEN substr(r.`id`, 5) ELSE r.`id` END, 9, 1)), 32) - 32) * 884736 + (coalesce(unicode(substr(CASE WHEN substr(r.`id`, 1, 4) = 'exe_' THEN substr(r.`id`, 5) ELSE r.`id` END, 10, 1)), 32) - 32) * 9216 + (coalesce(unicode(substr(CASE WHEN substr(r.`id`, 1, 4) = 'exe_' THEN substr(r.`id`, 5) ELSE r.`id` END, 11, 1)), 32) - 32) * 96 + (coalesce(unicode(substr(CASE WHEN substr(r.`id`, 1, 4) = 'exe_' THEN substr(r.`id`, 5) ELSE r.`id` END, 12, 1)), 32) - 32) * 1 END,
  a.`num`, r.`attempt`, CASE r.`origin` WHEN 'manual' THEN 1 ELSE 0 END, CASE r.`state` WHEN 'running' THEN 1 ELSE 0 END,
  NULL, r.`planned_at`, r.`lease_until`, r.`leases`, r.`sent_at`, r.`nonce`
FROM `runs_v1` r
JOIN `cron_jobs` j ON j.`id` = r.`job_id`
JOIN `accounts` a ON a.`id` = r.`account_id`
WHERE r.`state` IN ('queued', 'running')
  AND ((length(r.`id`) = 30 AND substr(r.`id`, 1, 4) = 'exe_' AND ltrim(substr(r.`id`, 5), '0123456789ABCDEFGHJKMNPQRSTVWXYZ') = '') OR (length(CASE WHEN substr(r.`id`, 1, 4) = 'exe_' THEN substr(r.`id`, 5) ELSE r.`id` END) BETWEEN 1 AND 12 AND CASE WHEN substr(r.`id`, 1, 4) = 'exe_' THEN substr(r.`id`, 5) ELSE r.`id` END NOT GLOB '*[^!-~]*'))
ON CONFLICT DO NOTHING;
--> statement-breakpoint
DELETE FROM `runs_v1` WHERE `state` IN ('queued', 'running');
--> statement-breakpoint
-- The ledger as text, for SQL tools (wrangler d1 execute, tests, benches), as `execution_logs` shows logs: the id
-- rebuilt from its key, job and account ids joined back (null once a purged job's rows remain), state, reason and
-- origin by name. The application reads and writes `runs` itself (src/engine/run-row.ts), never this view.
CREATE VIEW `run_ledger` AS
SELECT
  CASE WHEN r.`slot` >= 0 AND r.`slot` < 1125899906842624 THEN 'exe_' || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`slot` >> 45) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`slot` >> 40) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`slot` >> 35) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`slot` >> 30) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`slot` >> 25) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`slot` >> 20) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`slot` >> 15) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`slot` >> 10) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`slot` >> 5) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`slot` >> 0) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`id_hi` >> 35) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`id_hi` >> 30) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`id_hi` >> 25) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`id_hi` >> 20) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`id_hi` >> 15) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`id_hi` >> 10) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`id_hi` >> 5) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`id_hi` >> 0) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`id_lo` >> 35) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`id_lo` >> 30) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`id_lo` >> 25) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`id_lo` >> 20) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`id_lo` >> 15) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`id_lo` >> 10) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`id_lo` >> 5) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.`id_lo` >> 0) & 31) + 1, 1) ELSE CASE WHEN r.`slot` IN (-1, 1125899906842624) THEN 'exe_' ELSE '' END || CASE WHEN (r.`id_hi` / 8153726976) % 96 > 0 THEN char((r.`id_hi` / 8153726976) % 96 + 32) ELSE '' END || CASE WHEN (r.`id_hi` / 84934656) % 96 > 0 THEN char((r.`id_hi` / 84934656) % 96 + 32) ELSE '' END || CASE WHEN (r.`id_hi` / 884736) % 96 > 0 THEN char((r.`id_hi` / 884736) % 96 + 32) ELSE '' END || CASE WHEN (r.`id_hi` / 9216) % 96 > 0 THEN char((r.`id_hi` / 9216) % 96 + 32) ELSE '' END || CASE WHEN (r.`id_hi` / 96) % 96 > 0 THEN char((r.`id_hi` / 96) % 96 + 32) ELSE '' END || CASE WHEN (r.`id_hi` / 1) % 96 > 0 THEN char((r.`id_hi` / 1) % 96 + 32) ELSE '' END || CASE WHEN (r.`id_lo` / 8153726976) % 96 > 0 THEN char((r.`id_lo` / 8153726976) % 96 + 32) ELSE '' END || CASE WHEN (r.`id_lo` / 84934656) % 96 > 0 THEN char((r.`id_lo` / 84934656) % 96 + 32) ELSE '' END || CASE WHEN (r.`id_lo` / 884736) % 96 > 0 THEN char((r.`id_lo` / 884736) % 96 + 32) ELSE '' END || CASE WHEN (r.`id_lo` / 9216) % 96 > 0 THEN char((r.`id_lo` / 9216) % 96 + 32) ELSE '' END || CASE WHEN (r.`id_lo` / 96) % 96 > 0 THEN char((r.`id_lo` / 96) % 96 + 32) ELSE '' END || CASE WHEN (r.`id_lo` / 1) % 96 > 0 THEN char((r.`id_lo` / 1) % 96 + 32) ELSE '' END END AS `id`,
  j.`id` AS `job_id`,
  a.`id` AS `account_id`,
  r.`slot`, r.`nonce`,
  CASE r.`origin` WHEN 1 THEN 'manual' ELSE 'schedule' END AS `origin`,
  r.`attempt`, r.`planned_at`,
  CASE r.`state` WHEN 0 THEN 'queued' WHEN 1 THEN 'running' WHEN 2 THEN 'awaiting' WHEN 3 THEN 'done' WHEN 4 THEN 'skipped' WHEN 5 THEN 'dead' END AS `state`,
  CASE r.`reason` WHEN 0 THEN 'overlap' WHEN 1 THEN 'paused' WHEN 2 THEN 'deleted' WHEN 3 THEN 'missed' WHEN 4 THEN 'calendar' WHEN 5 THEN 'maintenance' WHEN 6 THEN 'undelivered' WHEN 7 THEN 'outcome_unknown' END AS `reason`,
  r.`lease_until`, r.`leases`, r.`sent_at`
FROM `runs` r
LEFT JOIN `cron_jobs` j ON j.`num` = r.`job`
LEFT JOIN `accounts` a ON a.`num` = r.`account`;
