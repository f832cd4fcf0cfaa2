-- Tiered request logs (metadata; bodies in R2) and restricted-content audit reports.
CREATE TABLE `request_logs` (
	`request_id` text PRIMARY KEY NOT NULL,
	`ts` text NOT NULL,
	`team` text,
	`workload` text,
	`key_id` text,
	`model` text,
	`provider` text,
	`data_class` text NOT NULL,
	`status` integer NOT NULL,
	`tokens_in` integer NOT NULL,
	`tokens_out` integer NOT NULL,
	`cache` text,
	`dlp_types` text,
	`body_key` text,
	`body_bytes` integer,
	`expires_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `request_logs_ts` ON `request_logs` (`ts`);--> statement-breakpoint
CREATE INDEX `request_logs_team_ts` ON `request_logs` (`team`,`ts`);--> statement-breakpoint
CREATE INDEX `request_logs_expires` ON `request_logs` (`expires_at`);--> statement-breakpoint
CREATE TABLE `restricted_audits` (
	`id` text PRIMARY KEY NOT NULL,
	`ts` text NOT NULL,
	`ok` integer NOT NULL,
	`report` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `restricted_audits_ts` ON `restricted_audits` (`ts`);
