CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`hash` text NOT NULL,
	`prefix` text NOT NULL,
	`workload` text NOT NULL,
	`team` text NOT NULL,
	`name` text,
	`created_at` text NOT NULL,
	`expires_at` text,
	`revoked_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_unique` ON `api_keys` (`hash`);--> statement-breakpoint
CREATE INDEX `api_keys_workload` ON `api_keys` (`workload`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ts` text NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`resource` text NOT NULL,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_ts` ON `audit_log` (`ts`);--> statement-breakpoint
CREATE TABLE `config_version` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `models` (
	`id` text PRIMARY KEY NOT NULL,
	`spec` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `providers` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`region` text NOT NULL,
	`spec` text NOT NULL,
	`secret_enc` text,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `teams` (
	`id` text PRIMARY KEY NOT NULL,
	`residency` text NOT NULL,
	`spec` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `usage_daily` (
	`day` text NOT NULL,
	`team` text NOT NULL,
	`workload` text NOT NULL,
	`model` text NOT NULL,
	`requests` integer NOT NULL,
	`errors` integer NOT NULL,
	`cache_hits` integer NOT NULL,
	`tokens_in` integer NOT NULL,
	`tokens_out` integer NOT NULL,
	`cost_nusd` integer NOT NULL,
	PRIMARY KEY(`day`, `team`, `workload`, `model`)
);
--> statement-breakpoint
CREATE TABLE `usage_events` (
	`request_id` text PRIMARY KEY NOT NULL,
	`ts` text NOT NULL,
	`team` text,
	`workload` text,
	`key_id` text,
	`model` text,
	`provider` text,
	`region` text NOT NULL,
	`tokens_in` integer NOT NULL,
	`tokens_out` integer NOT NULL,
	`cost_nusd` integer NOT NULL,
	`latency_ms` integer NOT NULL,
	`ttfb_ms` integer,
	`status` integer NOT NULL,
	`error_code` text,
	`data_class` text,
	`cache` text,
	`estimated` integer NOT NULL,
	`route` text,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `usage_events_ts` ON `usage_events` (`ts`);--> statement-breakpoint
CREATE INDEX `usage_events_team_ts` ON `usage_events` (`team`,`ts`);--> statement-breakpoint
CREATE TABLE `workloads` (
	`id` text PRIMARY KEY NOT NULL,
	`team` text NOT NULL,
	`lifecycle` text NOT NULL,
	`spec` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `workloads_team` ON `workloads` (`team`);