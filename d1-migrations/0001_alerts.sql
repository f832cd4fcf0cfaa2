-- Alerts raised by any automated loop (drills, budgets, audits, baselines), with their evidence.
CREATE TABLE `alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`ts` text NOT NULL,
	`kind` text NOT NULL,
	`severity` text NOT NULL,
	`title` text NOT NULL,
	`evidence` text,
	`delivered` text,
	`acknowledged_at` text
);
--> statement-breakpoint
CREATE INDEX `alerts_ts` ON `alerts` (`ts`);
