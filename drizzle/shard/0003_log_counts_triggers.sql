-- Custom SQL migration file, put your code below! --
-- Backfill log_counts from the logs already stored, then keep it in step with triggers: every insert,
-- delete or (never expected) update of execution_logs adjusts its job/day/status count in the same statement.
INSERT INTO `log_counts` (`cron_job_id`, `account_id`, `day`, `status`, `n`)
SELECT `cron_job_id`, `account_id`, `executed_at` / 86400000, `status`, count(*)
FROM `execution_logs` WHERE true
GROUP BY `cron_job_id`, `executed_at` / 86400000, `status`
ON CONFLICT (`cron_job_id`, `day`, `status`) DO NOTHING;
--> statement-breakpoint
CREATE TRIGGER `log_counts_after_insert` AFTER INSERT ON `execution_logs` BEGIN
  INSERT INTO `log_counts` (`cron_job_id`, `account_id`, `day`, `status`, `n`)
  VALUES (NEW.`cron_job_id`, NEW.`account_id`, NEW.`executed_at` / 86400000, NEW.`status`, 1)
  ON CONFLICT (`cron_job_id`, `day`, `status`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `log_counts_after_delete` AFTER DELETE ON `execution_logs` BEGIN
  UPDATE `log_counts` SET `n` = `n` - 1
  WHERE `cron_job_id` = OLD.`cron_job_id` AND `day` = OLD.`executed_at` / 86400000 AND `status` = OLD.`status`;
END;
--> statement-breakpoint
CREATE TRIGGER `log_counts_after_update` AFTER UPDATE OF `cron_job_id`, `executed_at`, `status` ON `execution_logs` BEGIN
  UPDATE `log_counts` SET `n` = `n` - 1
  WHERE `cron_job_id` = OLD.`cron_job_id` AND `day` = OLD.`executed_at` / 86400000 AND `status` = OLD.`status`;
  INSERT INTO `log_counts` (`cron_job_id`, `account_id`, `day`, `status`, `n`)
  VALUES (NEW.`cron_job_id`, NEW.`account_id`, NEW.`executed_at` / 86400000, NEW.`status`, 1)
  ON CONFLICT (`cron_job_id`, `day`, `status`) DO UPDATE SET `n` = `n` + 1;
END;
