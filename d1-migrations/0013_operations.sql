-- Operations automation: alert lifecycle, incidents with runbook steps, per-team operations
-- policy, guardrail tuning recommendations, developer NPS rounds. Matches src/db/operations-schema.ts
-- (and the alerts columns in src/db/schema.ts).
ALTER TABLE `alerts` ADD `team` text;
--> statement-breakpoint
ALTER TABLE `alerts` ADD `incident_id` text;
--> statement-breakpoint
ALTER TABLE `alerts` ADD `acknowledged_by` text;
--> statement-breakpoint
ALTER TABLE `alerts` ADD `resolved_at` text;
--> statement-breakpoint
ALTER TABLE `alerts` ADD `resolved_by` text;
--> statement-breakpoint
CREATE INDEX `alerts_incident` ON `alerts` (`incident_id`);
--> statement-breakpoint
CREATE TABLE `incidents` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`fingerprint` text NOT NULL,
	`title` text NOT NULL,
	`severity` text NOT NULL,
	`status` text NOT NULL,
	`drill` integer NOT NULL,
	`team` text,
	`subject` text,
	`started_at` text NOT NULL,
	`detected_at` text NOT NULL,
	`acknowledged_at` text,
	`mitigated_at` text,
	`resolved_at` text,
	`escalated_at` text,
	`diagnosis` text,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `incidents_open` ON `incidents` (`kind`,`status`,`fingerprint`);
--> statement-breakpoint
CREATE INDEX `incidents_detected` ON `incidents` (`detected_at`);
--> statement-breakpoint
CREATE TABLE `incident_steps` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`incident_id` text NOT NULL,
	`ts` text NOT NULL,
	`step` text NOT NULL,
	`outcome` text NOT NULL,
	`inputs` text,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `incident_steps_incident` ON `incident_steps` (`incident_id`,`id`);
--> statement-breakpoint
CREATE TABLE `ops_policies` (
	`team` text PRIMARY KEY NOT NULL,
	`spec` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `guardrail_recommendations` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`guardrail` text NOT NULL,
	`finding` text NOT NULL,
	`team` text,
	`workload` text,
	`subject` text NOT NULL,
	`security` integer NOT NULL,
	`current` text,
	`proposed` text,
	`evidence` text NOT NULL,
	`status` text NOT NULL,
	`decided_by` text,
	`decided_at` text,
	`note` text,
	`before_metrics` text,
	`impact_due_at` text,
	`impact` text
);
--> statement-breakpoint
CREATE INDEX `guardrail_recommendations_status` ON `guardrail_recommendations` (`status`,`created_at`);
--> statement-breakpoint
CREATE TABLE `surveys` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`title` text NOT NULL,
	`trigger` text NOT NULL,
	`closes_at` text NOT NULL,
	`eligible` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `survey_responses` (
	`survey_id` text NOT NULL,
	`key_id` text NOT NULL,
	`team` text NOT NULL,
	`workload` text NOT NULL,
	`would_recommend` integer NOT NULL,
	`scores` text NOT NULL,
	`comment` text,
	`created_at` text NOT NULL,
	PRIMARY KEY(`survey_id`, `key_id`)
);
--> statement-breakpoint
CREATE TABLE `nps_investigations` (
	`id` text PRIMARY KEY NOT NULL,
	`survey_id` text NOT NULL,
	`previous_survey_id` text NOT NULL,
	`scope` text NOT NULL,
	`drop_points` integer NOT NULL,
	`opened_at` text NOT NULL,
	`closed_at` text,
	`closed_by` text,
	`note` text
);
