DROP TABLE `execution_logs`;--> statement-breakpoint
DROP TABLE `log_counts`;