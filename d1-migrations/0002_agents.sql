-- Agent plane: registry, MCP servers, tool-call log, shadow-agent discoveries, baselines, access reviews.
CREATE TABLE `access_review_items` (
	`id` text PRIMARY KEY NOT NULL,
	`review_id` text NOT NULL,
	`agent` text NOT NULL,
	`grant_spec` text NOT NULL,
	`last_used` text,
	`unused_90d` integer NOT NULL,
	`decision` text,
	`reviewer` text,
	`note` text,
	`decided_at` text
);
--> statement-breakpoint
CREATE INDEX `access_review_items_review` ON `access_review_items` (`review_id`);--> statement-breakpoint
CREATE TABLE `access_reviews` (
	`id` text PRIMARY KEY NOT NULL,
	`period` text NOT NULL,
	`status` text NOT NULL,
	`opened_at` text NOT NULL,
	`due_at` text NOT NULL,
	`closed_at` text,
	`escalated_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `access_reviews_period_unique` ON `access_reviews` (`period`);--> statement-breakpoint
CREATE TABLE `agent_baselines` (
	`agent` text PRIMARY KEY NOT NULL,
	`profile` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `agent_calls` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ts` text NOT NULL,
	`agent` text NOT NULL,
	`server` text NOT NULL,
	`tool` text NOT NULL,
	`decision` text NOT NULL,
	`rule` text,
	`arg_shape` text,
	`trace` text,
	`chain` text
);
--> statement-breakpoint
CREATE INDEX `agent_calls_agent_ts` ON `agent_calls` (`agent`,`ts`);--> statement-breakpoint
CREATE INDEX `agent_calls_trace` ON `agent_calls` (`trace`);--> statement-breakpoint
CREATE TABLE `agent_discoveries` (
	`id` text PRIMARY KEY NOT NULL,
	`fingerprint` text NOT NULL,
	`status` text NOT NULL,
	`first_seen` text NOT NULL,
	`last_seen` text NOT NULL,
	`subject` text NOT NULL,
	`evidence` text NOT NULL,
	`resolved_at` text,
	`resolved_by` text,
	`resolution` text
);
--> statement-breakpoint
CREATE INDEX `agent_discoveries_fingerprint` ON `agent_discoveries` (`fingerprint`);--> statement-breakpoint
CREATE INDEX `agent_discoveries_status` ON `agent_discoveries` (`status`);--> statement-breakpoint
CREATE TABLE `agents` (
	`id` text PRIMARY KEY NOT NULL,
	`team` text NOT NULL,
	`spec` text NOT NULL,
	`jkt` text NOT NULL,
	`policy_version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `agents_team` ON `agents` (`team`);--> statement-breakpoint
CREATE TABLE `mcp_servers` (
	`id` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`spec` text NOT NULL,
	`updated_at` text NOT NULL
);
