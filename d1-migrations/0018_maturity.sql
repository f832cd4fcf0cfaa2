-- Stage 3 self-assessment (src/maturity) and the knowledge base's lessons (src/knowledge).
-- Control-plane tables (global, like governance). Matches src/db/maturity-schema.ts.
CREATE TABLE `maturity_snapshots` (
	`id` text PRIMARY KEY NOT NULL,
	`taken_at` text NOT NULL,
	`trigger` text NOT NULL,
	`percent` real NOT NULL,
	`met` integer NOT NULL,
	`not_met` integer NOT NULL,
	`not_applicable` integer NOT NULL,
	`total` integer NOT NULL,
	`by_layer` text NOT NULL,
	`statuses` text NOT NULL
);
CREATE INDEX `maturity_snapshots_taken` ON `maturity_snapshots` (`taken_at`);
CREATE TABLE `maturity_investigations` (
	`id` text PRIMARY KEY NOT NULL,
	`opened_at` text NOT NULL,
	`snapshot_id` text NOT NULL,
	`previous_snapshot_id` text NOT NULL,
	`drop_from` real NOT NULL,
	`drop_to` real NOT NULL,
	`regressed` text NOT NULL,
	`status` text NOT NULL,
	`alert_id` text,
	`closed_by` text,
	`closed_at` text,
	`note` text
);
CREATE UNIQUE INDEX `maturity_investigations_snapshot` ON `maturity_investigations` (`snapshot_id`);
CREATE TABLE `maturity_reviews` (
	`id` text PRIMARY KEY NOT NULL,
	`year` integer NOT NULL,
	`generated_at` text NOT NULL,
	`generated_by` text NOT NULL
);
CREATE UNIQUE INDEX `maturity_reviews_year` ON `maturity_reviews` (`year`);
CREATE TABLE `maturity_review_items` (
	`review_id` text NOT NULL,
	`id` text NOT NULL,
	`position` integer NOT NULL,
	`text` text NOT NULL,
	`criterion_id` text,
	`done_by` text,
	`done_at` text,
	`note` text,
	PRIMARY KEY(`review_id`, `id`)
);
CREATE TABLE `maturity_recommendations` (
	`id` text PRIMARY KEY NOT NULL,
	`criterion_id` text NOT NULL,
	`text` text NOT NULL,
	`action` text NOT NULL,
	`status` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`decided_by` text,
	`decided_at` text,
	`reason` text
);
CREATE UNIQUE INDEX `maturity_recommendations_criterion` ON `maturity_recommendations` (`criterion_id`);
CREATE TABLE `knowledge_lessons` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`author` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`tags` text NOT NULL
);
CREATE INDEX `knowledge_lessons_created` ON `knowledge_lessons` (`created_at`);
