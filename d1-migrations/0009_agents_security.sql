-- Agent ids are reserved for the team that first registers them and tombstoned on delete, so a
-- deleted (or delegated-to) id can never be claimed by another team.
CREATE TABLE `agent_ids` (
	`id` text PRIMARY KEY NOT NULL,
	`team` text NOT NULL,
	`reserved_at` text NOT NULL,
	`deleted_at` text
);
--> statement-breakpoint
INSERT OR IGNORE INTO `agent_ids` (`id`, `team`, `reserved_at`, `deleted_at`) SELECT `id`, `team`, `created_at`, NULL FROM `agents`;
