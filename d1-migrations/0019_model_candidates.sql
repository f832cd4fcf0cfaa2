-- Model-upgrade candidates (issue 14): a newer upstream version of a catalog target, recorded by
-- an admin (POST /admin/v1/models/{id}/candidates) or the provider model-list watcher, evaluated
-- through eval-jobs before the catalog changes. One row per (model, provider, upstream model):
-- the unique index makes the daily watcher idempotent. Configuration-like: control plane.
CREATE TABLE `model_candidates` (
	`id` text PRIMARY KEY NOT NULL,
	`model` text NOT NULL,
	`provider` text NOT NULL,
	`from_model` text NOT NULL,
	`to_model` text NOT NULL,
	`source` text NOT NULL,
	`status` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`decided_by` text,
	`decided_at` text,
	`reason` text
);
CREATE UNIQUE INDEX `model_candidates_target` ON `model_candidates` (`model`, `provider`, `to_model`);
-- Recommendations of a candidate (null: post-hoc re-evaluation after a direct catalog PUT).
ALTER TABLE `eval_recommendations` ADD `candidate_id` text;
