DROP INDEX `logs_job_time_idx`;--> statement-breakpoint
DROP INDEX `logs_account_time_idx`;--> statement-breakpoint
CREATE INDEX `logs_job_code_idx` ON `logs` (`job`,`response_code`,`response_time_ms`,`executed_at`,`status`);--> statement-breakpoint
CREATE INDEX `logs_job_time_idx` ON `logs` (`job`,`executed_at`,`slot`,`id_hi`,`id_lo`,`status`,`response_code`,`response_time_ms`);--> statement-breakpoint
CREATE INDEX `logs_account_time_idx` ON `logs` (`account`,`executed_at`,`slot`,`id_hi`,`id_lo`,`job`,`status`,`response_code`,`response_time_ms`);