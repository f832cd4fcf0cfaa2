-- Versioned routing rules (append-only) and failover-drill results. Matches src/db/routing-schema.ts.
CREATE TABLE `routing_rules` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`scope` text NOT NULL,
	`subject` text NOT NULL,
	`version` integer NOT NULL,
	`spec` text,
	`author` text NOT NULL,
	`created_at` text NOT NULL,
	`action` text NOT NULL,
	`diff` text NOT NULL,
	`restored_from` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `routing_rules_subject_version` ON `routing_rules` (`scope`,`subject`,`version`);--> statement-breakpoint
CREATE TABLE `failover_drills` (
	`id` text PRIMARY KEY NOT NULL,
	`ts` text NOT NULL,
	`model` text NOT NULL,
	`provider` text NOT NULL,
	`fallback_provider` text,
	`fault` text NOT NULL,
	`rerouted` integer NOT NULL,
	`fallback_ok` integer NOT NULL,
	`recovery_ms` integer,
	`recovery_bound_ms` integer NOT NULL,
	`verdict` text NOT NULL,
	`detail` text,
	`trigger` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `failover_drills_ts` ON `failover_drills` (`ts`);
