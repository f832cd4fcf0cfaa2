-- Finance (issue 11): provider in the daily rollup, imported provider spend, forecast adjustments,
-- daily forecast snapshots and their measured accuracy, budget-exhaustion warnings and the report
-- archive index. Matches src/db/finance-schema.ts and usage_daily in src/db/schema.ts.

-- usage_daily gains `provider` in its key. SQLite cannot change a primary key in place, so the
-- table is rebuilt; rows rolled up before this migration keep provider '-' (unknown).
CREATE TABLE `usage_daily_new` (
	`day` text NOT NULL,
	`team` text NOT NULL,
	`workload` text NOT NULL,
	`model` text NOT NULL,
	`provider` text DEFAULT '-' NOT NULL,
	`requests` integer NOT NULL,
	`errors` integer NOT NULL,
	`cache_hits` integer NOT NULL,
	`tokens_in` integer NOT NULL,
	`tokens_out` integer NOT NULL,
	`cost_nusd` integer NOT NULL,
	PRIMARY KEY(`day`, `team`, `workload`, `model`, `provider`)
);--> statement-breakpoint
INSERT INTO `usage_daily_new` (day, team, workload, model, provider, requests, errors, cache_hits, tokens_in, tokens_out, cost_nusd)
	SELECT day, team, workload, model, '-', requests, errors, cache_hits, tokens_in, tokens_out, cost_nusd FROM `usage_daily`;--> statement-breakpoint
DROP TABLE `usage_daily`;--> statement-breakpoint
ALTER TABLE `usage_daily_new` RENAME TO `usage_daily`;--> statement-breakpoint
CREATE INDEX `usage_daily_team_day` ON `usage_daily` (`team`, `day`);--> statement-breakpoint

-- Provider spend from before (or beside) the gateway, kept apart from gateway-observed rollups.
CREATE TABLE `spend_imports` (
	`source` text NOT NULL,
	`day` text NOT NULL,
	`team` text NOT NULL,
	`workload` text DEFAULT '-' NOT NULL,
	`model` text DEFAULT '-' NOT NULL,
	`provider` text DEFAULT '-' NOT NULL,
	`cost_nusd` integer NOT NULL,
	`tokens_in` integer,
	`tokens_out` integer,
	`requests` integer,
	`import_id` text NOT NULL,
	`imported_at` text NOT NULL,
	PRIMARY KEY(`source`, `day`, `team`, `workload`, `model`, `provider`)
);--> statement-breakpoint
CREATE INDEX `spend_imports_team_day` ON `spend_imports` (`team`, `day`);--> statement-breakpoint

CREATE TABLE `forecast_adjustments` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`team` text,
	`workload` text,
	`model` text,
	`percent` real,
	`nusd_per_day` integer,
	`effective_from` text NOT NULL,
	`effective_to` text,
	`note` text,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL
);--> statement-breakpoint

CREATE TABLE `forecast_snapshots` (
	`made_on` text NOT NULL,
	`scope` text NOT NULL,
	`subject` text NOT NULL,
	`method` text NOT NULL,
	`daily` text NOT NULL,
	PRIMARY KEY(`made_on`, `scope`, `subject`)
);--> statement-breakpoint

CREATE TABLE `forecast_accuracy` (
	`month` text NOT NULL,
	`scope` text NOT NULL,
	`subject` text NOT NULL,
	`made_on` text NOT NULL,
	`forecast_nusd` integer NOT NULL,
	`actual_nusd` integer NOT NULL,
	`error` real NOT NULL,
	`computed_at` text NOT NULL,
	`alert_id` text,
	PRIMARY KEY(`month`, `scope`, `subject`)
);--> statement-breakpoint

CREATE TABLE `exhaustion_warnings` (
	`team` text NOT NULL,
	`period` text NOT NULL,
	`status` text NOT NULL,
	`exhaustion_date` text,
	`projected_nusd` integer NOT NULL,
	`limit_nusd` integer NOT NULL,
	`alert_id` text,
	`raised_at` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`team`, `period`)
);--> statement-breakpoint

CREATE TABLE `reports` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`period` text NOT NULL,
	`trigger` text NOT NULL,
	`created_at` text NOT NULL,
	`sha256` text NOT NULL,
	`data_key` text NOT NULL,
	`mime_key` text NOT NULL,
	`recipients` text NOT NULL,
	`delivered_to` text NOT NULL,
	`status` text NOT NULL,
	`message_id` text,
	`error` text,
	`attempts` integer NOT NULL,
	`claimed_until` text
);--> statement-breakpoint
CREATE INDEX `reports_kind_period` ON `reports` (`kind`, `period`);
