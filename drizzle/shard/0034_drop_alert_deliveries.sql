-- Hand-written: alert deliveries move to the deliveries table (0030) before their old table goes.
-- A stored error "HTTP 500" gives the row its last status code.
INSERT INTO `deliveries` (`id`, `account_id`, `source`, `source_id`, `execution_id`, `kind`, `event`, `channel`, `target`, `payload`, `state`, `attempts`, `last_status_code`, `last_error`, `next_attempt_at`, `fired_at`, `delivered_at`, `lease_until`)
SELECT `id`, `account_id`, 'job', `cron_job_id`, `execution_id`, 'alert', `event`, `channel`, `target`, `payload`, `status`, `attempts`,
  CASE WHEN `last_error` GLOB 'HTTP [1-5][0-9][0-9]' THEN CAST(substr(`last_error`, 6) AS INTEGER) END,
  `last_error`, CASE WHEN `status` = 'pending' THEN `fired_at` END, `fired_at`, `delivered_at`, `lease_until`
FROM `alert_deliveries`
WHERE true
ON CONFLICT DO NOTHING;
--> statement-breakpoint
DROP TABLE `alert_deliveries`;
