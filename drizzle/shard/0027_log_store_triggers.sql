-- Custom SQL migration: the log store's triggers and view (drizzle-kit cannot declare triggers or views).
-- log_day_counts gives way to log_hours: its triggers go first, or the next log insert would fail.
DROP TRIGGER IF EXISTS `log_day_counts_after_insert`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `log_day_counts_after_update`;
--> statement-breakpoint
DROP TABLE `log_day_counts`;
--> statement-breakpoint
-- Each new log joins its hour's rollup in the statement that writes it (one more row written). The sketch key is
-- src/logs/sketch.ts's: -1 for 0 ms, else ceil(ln(v) / ln(γ)), γ = 1.005 / 0.995 (DDSketch, α = 0.5 %).
CREATE TRIGGER `log_hours_after_insert` AFTER INSERT ON `logs` BEGIN
  INSERT INTO `log_hours` (`job`, `status`, `hour`, `n`, `sum_ms`, `min_ms`, `max_ms`, `sketch`)
  VALUES (NEW.`job`, NEW.`status`, NEW.`executed_at` / 3600000, 1, NEW.`response_time_ms`, NEW.`response_time_ms`,
    NEW.`response_time_ms`, CASE WHEN NEW.`status` = 0 AND NEW.`response_time_ms` IS NOT NULL THEN json_object(CASE WHEN NEW.`response_time_ms` <= 0 THEN '-1' ELSE CAST(CAST(ceil(ln(NEW.`response_time_ms`) / 0.010000083334583179) AS INTEGER) AS TEXT) END, 1) END)
  ON CONFLICT (`job`, `status`, `hour`) DO UPDATE SET
    `n` = `n` + 1,
    `sum_ms` = coalesce(`sum_ms` + excluded.`sum_ms`, `sum_ms`, excluded.`sum_ms`),
    `min_ms` = coalesce(min(`min_ms`, excluded.`min_ms`), `min_ms`, excluded.`min_ms`),
    `max_ms` = coalesce(max(`max_ms`, excluded.`max_ms`), `max_ms`, excluded.`max_ms`),
    `sketch` = CASE WHEN NEW.`status` = 0 AND NEW.`response_time_ms` IS NOT NULL THEN json_set(coalesce(`sketch`, '{}'), '$."' || CASE WHEN NEW.`response_time_ms` <= 0 THEN '-1' ELSE CAST(CAST(ceil(ln(NEW.`response_time_ms`) / 0.010000083334583179) AS INTEGER) AS TEXT) END || '"',
      coalesce(json_extract(`sketch`, '$."' || CASE WHEN NEW.`response_time_ms` <= 0 THEN '-1' ELSE CAST(CAST(ceil(ln(NEW.`response_time_ms`) / 0.010000083334583179) AS INTEGER) AS TEXT) END || '"'), 0) + 1) ELSE `sketch` END;
END;
--> statement-breakpoint
-- Logs written before this migration keep their text inline (body NULL) and are in no rollup: the store
-- migration (src/logs/migrate.ts) moves them in chunks. Until it is done, reads count hours before this instant
-- (plus a margin for attempts in flight) from the logs themselves.
INSERT INTO `shard_state` (`key`, `value`)
SELECT 'legacy_logs_until', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) + 300000
WHERE EXISTS (SELECT 1 FROM `logs`);
--> statement-breakpoint
DROP TRIGGER `execution_logs_insert`;
--> statement-breakpoint
DROP VIEW `execution_logs`;
--> statement-breakpoint
-- The old `execution_logs` shape over `logs`, for SQL tools (see 0018): text columns come from log_bodies when
-- stored raw (codec 0) and are NULL when compressed (response_body_codec says which), and the API decodes them.
CREATE VIEW `execution_logs` AS
SELECT
  CASE WHEN l.`slot` >= 0 AND l.`slot` < 1125899906842624 THEN 'exe_' || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`slot` >> 45) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`slot` >> 40) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`slot` >> 35) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`slot` >> 30) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`slot` >> 25) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`slot` >> 20) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`slot` >> 15) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`slot` >> 10) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`slot` >> 5) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`slot` >> 0) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`id_hi` >> 35) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`id_hi` >> 30) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`id_hi` >> 25) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`id_hi` >> 20) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`id_hi` >> 15) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`id_hi` >> 10) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`id_hi` >> 5) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`id_hi` >> 0) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`id_lo` >> 35) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`id_lo` >> 30) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`id_lo` >> 25) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`id_lo` >> 20) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`id_lo` >> 15) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`id_lo` >> 10) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`id_lo` >> 5) & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((l.`id_lo` >> 0) & 31) + 1, 1) ELSE CASE WHEN l.`slot` IN (-1, 1125899906842624) THEN 'exe_' ELSE '' END || CASE WHEN (l.`id_hi` / 8153726976) % 96 > 0 THEN char((l.`id_hi` / 8153726976) % 96 + 32) ELSE '' END || CASE WHEN (l.`id_hi` / 84934656) % 96 > 0 THEN char((l.`id_hi` / 84934656) % 96 + 32) ELSE '' END || CASE WHEN (l.`id_hi` / 884736) % 96 > 0 THEN char((l.`id_hi` / 884736) % 96 + 32) ELSE '' END || CASE WHEN (l.`id_hi` / 9216) % 96 > 0 THEN char((l.`id_hi` / 9216) % 96 + 32) ELSE '' END || CASE WHEN (l.`id_hi` / 96) % 96 > 0 THEN char((l.`id_hi` / 96) % 96 + 32) ELSE '' END || CASE WHEN (l.`id_hi` / 1) % 96 > 0 THEN char((l.`id_hi` / 1) % 96 + 32) ELSE '' END || CASE WHEN (l.`id_lo` / 8153726976) % 96 > 0 THEN char((l.`id_lo` / 8153726976) % 96 + 32) ELSE '' END || CASE WHEN (l.`id_lo` / 84934656) % 96 > 0 THEN char((l.`id_lo` / 84934656) % 96 + 32) ELSE '' END || CASE WHEN (l.`id_lo` / 884736) % 96 > 0 THEN char((l.`id_lo` / 884736) % 96 + 32) ELSE '' END || CASE WHEN (l.`id_lo` / 9216) % 96 > 0 THEN char((l.`id_lo` / 9216) % 96 + 32) ELSE '' END || CASE WHEN (l.`id_lo` / 96) % 96 > 0 THEN char((l.`id_lo` / 96) % 96 + 32) ELSE '' END || CASE WHEN (l.`id_lo` / 1) % 96 > 0 THEN char((l.`id_lo` / 1) % 96 + 32) ELSE '' END END AS `id`,
  j.`id` AS `cron_job_id`,
  a.`id` AS `account_id`,
  l.`executed_at`,
  CASE l.`status` WHEN 0 THEN 'success' WHEN 1 THEN 'failure' WHEN 2 THEN 'error' ELSE 'timeout' END AS `status`,
  l.`response_code`, CASE WHEN l.`body` IS NULL THEN l.`response_body` ELSE (SELECT CASE WHEN substr(b.`response_body`, 1, 1) = x'00' THEN CAST(substr(b.`response_body`, 2) AS TEXT) END FROM `log_bodies` b WHERE b.`id` = l.`body`) END AS `response_body`,
  CASE WHEN l.`body` IS NULL THEN l.`error_message` ELSE (SELECT CASE WHEN substr(b.`error_message`, 1, 1) = x'00' THEN CAST(substr(b.`error_message`, 2) AS TEXT) END FROM `log_bodies` b WHERE b.`id` = l.`body`) END AS `error_message`, l.`response_time_ms`, l.`retry_attempt`,
  CASE WHEN l.`kind` IN (0, 1) THEN l.`slot` END AS `scheduled_at`,
  CASE l.`kind` WHEN 1 THEN 'retry' WHEN 3 THEN 'retry' WHEN 2 THEN 'manual' ELSE 'schedule' END AS `trigger`,
  CASE WHEN l.`body` IS NULL THEN l.`response_headers` ELSE (SELECT CASE WHEN substr(b.`response_headers`, 1, 1) = x'00' THEN CAST(substr(b.`response_headers`, 2) AS TEXT) END FROM `log_bodies` b WHERE b.`id` = l.`body`) END AS `response_headers`,
  CASE l.`decided_by` WHEN 0 THEN 'status_codes' WHEN 1 THEN 'body_contains' WHEN 2 THEN 'body_not_contains' END
    AS `decided_by`,
  (SELECT (instr('0123456789ABCDEF', substr(hex(substr(b.`response_body`, 1, 1)), 1, 1)) - 1) * 16 + instr('0123456789ABCDEF', substr(hex(substr(b.`response_body`, 1, 1)), 2, 1)) - 1 FROM `log_bodies` b WHERE b.`id` = l.`body`) AS `response_body_codec`
FROM `logs` l
JOIN `cron_jobs` j ON j.`num` = l.`job`
JOIN `accounts` a ON a.`num` = l.`account`;
--> statement-breakpoint
-- An INSERT into the view stores the log with its text raw (codec 0), as 0018's did inline.
CREATE TRIGGER `execution_logs_insert` INSTEAD OF INSERT ON `execution_logs` BEGIN
  -- The text first, raw (codec 0), so the log row can name it, and removed again if the log row is not written.
  INSERT INTO `log_bodies` (`response_body`, `error_message`, `response_headers`)
  SELECT CASE WHEN NEW.`response_body` IS NOT NULL THEN unhex('00' || hex(CAST(NEW.`response_body` AS TEXT))) END,
    CASE WHEN NEW.`error_message` IS NOT NULL THEN unhex('00' || hex(CAST(NEW.`error_message` AS TEXT))) END,
    CASE WHEN NEW.`response_headers` IS NOT NULL THEN unhex('00' || hex(CAST(NEW.`response_headers` AS TEXT))) END
  WHERE (NEW.`response_body` IS NOT NULL OR NEW.`error_message` IS NOT NULL OR NEW.`response_headers` IS NOT NULL);
  INSERT INTO `logs` (`slot`, `id_hi`, `id_lo`, `job`, `account`, `executed_at`, `status`, `kind`, `response_code`,
    `response_time_ms`, `retry_attempt`, `decided_by`, `body`)
  SELECT
    CASE WHEN (length(NEW.`id`) = 30 AND substr(NEW.`id`, 1, 4) = 'exe_' AND ltrim(substr(NEW.`id`, 5), '0123456789ABCDEFGHJKMNPQRSTVWXYZ') = '') THEN ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 5, 1)) - 1) << 45) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 6, 1)) - 1) << 40) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 7, 1)) - 1) << 35) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 8, 1)) - 1) << 30) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 9, 1)) - 1) << 25) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 10, 1)) - 1) << 20) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 11, 1)) - 1) << 15) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 12, 1)) - 1) << 10) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 13, 1)) - 1) << 5) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 14, 1)) - 1) << 0) WHEN substr(NEW.`id`, 1, 4) = 'exe_' THEN CASE WHEN substr(NEW.`id`, 5) > 'Z' THEN 1125899906842624 ELSE -1 END WHEN NEW.`id` > 'exe_' THEN 1125899906842625 ELSE -2 END,
    CASE WHEN (length(NEW.`id`) = 30 AND substr(NEW.`id`, 1, 4) = 'exe_' AND ltrim(substr(NEW.`id`, 5), '0123456789ABCDEFGHJKMNPQRSTVWXYZ') = '') THEN ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 15, 1)) - 1) << 35) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 16, 1)) - 1) << 30) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 17, 1)) - 1) << 25) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 18, 1)) - 1) << 20) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 19, 1)) - 1) << 15) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 20, 1)) - 1) << 10) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 21, 1)) - 1) << 5) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 22, 1)) - 1) << 0) ELSE (coalesce(unicode(substr(CASE WHEN substr(NEW.`id`, 1, 4) = 'exe_' THEN substr(NEW.`id`, 5) ELSE NEW.`id` END, 1, 1)), 32) - 32) * 8153726976 + (coalesce(unicode(substr(CASE WHEN substr(NEW.`id`, 1, 4) = 'exe_' THEN substr(NEW.`id`, 5) ELSE NEW.`id` END, 2, 1)), 32) - 32) * 84934656 + (coalesce(unicode(substr(CASE WHEN substr(NEW.`id`, 1, 4) = 'exe_' THEN substr(NEW.`id`, 5) ELSE NEW.`id` END, 3, 1)), 32) - 32) * 884736 + (coalesce(unicode(substr(CASE WHEN substr(NEW.`id`, 1, 4) = 'exe_' THEN substr(NEW.`id`, 5) ELSE NEW.`id` END, 4, 1)), 32) - 32) * 9216 + (coalesce(unicode(substr(CASE WHEN substr(NEW.`id`, 1, 4) = 'exe_' THEN substr(NEW.`id`, 5) ELSE NEW.`id` END, 5, 1)), 32) - 32) * 96 + (coalesce(unicode(substr(CASE WHEN substr(NEW.`id`, 1, 4) = 'exe_' THEN substr(NEW.`id`, 5) ELSE NEW.`id` END, 6, 1)), 32) - 32) * 1 END,
    CASE WHEN (length(NEW.`id`) = 30 AND substr(NEW.`id`, 1, 4) = 'exe_' AND ltrim(substr(NEW.`id`, 5), '0123456789ABCDEFGHJKMNPQRSTVWXYZ') = '') THEN ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 23, 1)) - 1) << 35) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 24, 1)) - 1) << 30) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 25, 1)) - 1) << 25) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 26, 1)) - 1) << 20) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 27, 1)) - 1) << 15) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 28, 1)) - 1) << 10) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 29, 1)) - 1) << 5) | ((instr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(NEW.`id`, 30, 1)) - 1) << 0) ELSE (coalesce(unicode(substr(CASE WHEN substr(NEW.`id`, 1, 4) = 'exe_' THEN substr(NEW.`id`, 5) ELSE NEW.`id` END, 7, 1)), 32) - 32) * 8153726976 + (coalesce(unicode(substr(CASE WHEN substr(NEW.`id`, 1, 4) = 'exe_' THEN substr(NEW.`id`, 5) ELSE NEW.`id` END, 8, 1)), 32) - 32) * 84934656 + (coalesce(unicode(substr(CASE WHEN substr(NEW.`id`, 1, 4) = 'exe_' THEN substr(NEW.`id`, 5) ELSE NEW.`id` END, 9, 1)), 32) - 32) * 884736 + (coalesce(unicode(substr(CASE WHEN substr(NEW.`id`, 1, 4) = 'exe_' THEN substr(NEW.`id`, 5) ELSE NEW.`id` END, 10, 1)), 32) - 32) * 9216 + (coalesce(unicode(substr(CASE WHEN substr(NEW.`id`, 1, 4) = 'exe_' THEN substr(NEW.`id`, 5) ELSE NEW.`id` END, 11, 1)), 32) - 32) * 96 + (coalesce(unicode(substr(CASE WHEN substr(NEW.`id`, 1, 4) = 'exe_' THEN substr(NEW.`id`, 5) ELSE NEW.`id` END, 12, 1)), 32) - 32) * 1 END,
    j.`num`, a.`num`, NEW.`executed_at`,
    CASE NEW.`status` WHEN 'success' THEN 0 WHEN 'failure' THEN 1 WHEN 'error' THEN 2 ELSE 3 END,
    CASE
      WHEN NEW.`trigger` = 'manual' THEN 2
      WHEN NEW.`trigger` = 'retry' THEN CASE WHEN NEW.`scheduled_at` IS NULL THEN 3 ELSE 1 END
      WHEN NEW.`scheduled_at` IS NULL THEN 4
      ELSE 0
    END,
    NEW.`response_code`, NEW.`response_time_ms`, coalesce(NEW.`retry_attempt`, 0),
    CASE NEW.`decided_by` WHEN 'status_codes' THEN 0 WHEN 'body_contains' THEN 1 WHEN 'body_not_contains' THEN 2 END,
    CASE WHEN (NEW.`response_body` IS NOT NULL OR NEW.`error_message` IS NOT NULL OR NEW.`response_headers` IS NOT NULL) THEN last_insert_rowid() ELSE 0 END
  FROM `cron_jobs` j, `accounts` a
  WHERE j.`id` = NEW.`cron_job_id` AND a.`id` = NEW.`account_id`
    AND ((length(NEW.`id`) = 30 AND substr(NEW.`id`, 1, 4) = 'exe_' AND ltrim(substr(NEW.`id`, 5), '0123456789ABCDEFGHJKMNPQRSTVWXYZ') = '') OR (length(CASE WHEN substr(NEW.`id`, 1, 4) = 'exe_' THEN substr(NEW.`id`, 5) ELSE NEW.`id` END) BETWEEN 1 AND 12 AND CASE WHEN substr(NEW.`id`, 1, 4) = 'exe_' THEN substr(NEW.`id`, 5) ELSE NEW.`id` END NOT GLOB '*[^!-~]*'))
  ON CONFLICT DO NOTHING;
  DELETE FROM `log_bodies` WHERE (NEW.`response_body` IS NOT NULL OR NEW.`error_message` IS NOT NULL OR NEW.`response_headers` IS NOT NULL) AND changes() = 0 AND `id` = (SELECT max(`id`) FROM `log_bodies`);
END;
