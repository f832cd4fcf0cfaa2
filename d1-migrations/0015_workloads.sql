-- Workloads and evaluations: datasets index, eval runs/results, production samples and reviews,
-- lifecycle transitions, model-upgrade recommendations. Matches src/db/workloads-schema.ts.
CREATE TABLE `datasets` (
	`workload` text NOT NULL,
	`version` integer NOT NULL,
	`suite` text NOT NULL,
	`examples` integer NOT NULL,
	`categories` text NOT NULL,
	`coverage` real NOT NULL,
	`r2_key` text NOT NULL,
	`sha256` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`archived_at` text,
	`review` text,
	PRIMARY KEY(`workload`, `version`)
);
--> statement-breakpoint
CREATE TABLE `eval_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`workload` text NOT NULL,
	`suite` text NOT NULL,
	`dataset_version` integer NOT NULL,
	`model` text NOT NULL,
	`candidate` text,
	`total` integer NOT NULL,
	`trigger` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `eval_runs_workload` ON `eval_runs` (`workload`,`created_at`);--> statement-breakpoint
CREATE TABLE `eval_results` (
	`run_id` text NOT NULL,
	`example_id` text NOT NULL,
	`category` text NOT NULL,
	`status` text NOT NULL,
	`score` real NOT NULL,
	`latency_ms` integer NOT NULL,
	`cost_nusd` integer NOT NULL,
	`request_id` text NOT NULL,
	`output` text,
	`detail` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`run_id`, `example_id`)
);
--> statement-breakpoint
CREATE TABLE `eval_samples` (
	`request_id` text PRIMARY KEY NOT NULL,
	`workload` text NOT NULL,
	`ts` text NOT NULL,
	`day` text NOT NULL,
	`data_class` text NOT NULL,
	`metadata_only` integer NOT NULL,
	`pair` text,
	`score` real,
	`detail` text,
	`review` text NOT NULL,
	`human_score` real,
	`reviewer` text,
	`reviewed_at` text
);
--> statement-breakpoint
CREATE INDEX `eval_samples_workload_day` ON `eval_samples` (`workload`,`day`);--> statement-breakpoint
CREATE INDEX `eval_samples_review` ON `eval_samples` (`review`);--> statement-breakpoint
CREATE TABLE `workload_transitions` (
	`id` text PRIMARY KEY NOT NULL,
	`workload` text NOT NULL,
	`from_state` text NOT NULL,
	`to_state` text NOT NULL,
	`reason` text NOT NULL,
	`requested_by` text NOT NULL,
	`approved_by` text,
	`status` text NOT NULL,
	`detail` text NOT NULL,
	`created_at` text NOT NULL,
	`decided_at` text
);
--> statement-breakpoint
CREATE INDEX `workload_transitions_workload` ON `workload_transitions` (`workload`,`created_at`);--> statement-breakpoint
CREATE TABLE `eval_recommendations` (
	`id` text PRIMARY KEY NOT NULL,
	`model` text NOT NULL,
	`candidate` text NOT NULL,
	`workload` text NOT NULL,
	`baseline_run` text NOT NULL,
	`candidate_run` text NOT NULL,
	`adversarial_run` text,
	`decision` text NOT NULL,
	`regressions` text NOT NULL,
	`status` text NOT NULL,
	`accepted_by` text,
	`created_at` text NOT NULL
);
