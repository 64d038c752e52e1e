CREATE TABLE `confirmation_sends` (
	`account_id` text NOT NULL,
	`email` text NOT NULL,
	`sent_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `email`, `sent_at`)
);
--> statement-breakpoint
CREATE INDEX `confirmation_sends_account_time_idx` ON `confirmation_sends` (`account_id`,`sent_at`);--> statement-breakpoint
CREATE INDEX `confirmation_sends_sent_idx` ON `confirmation_sends` (`sent_at`);