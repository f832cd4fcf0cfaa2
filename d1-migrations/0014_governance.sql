-- Governance as code (src/db/governance-schema.ts): applied artifact versions, hash-chained and
-- never updated; proposals with approvals; evidence findings; quarterly reviews.
CREATE TABLE `governance_versions` (
  `version` integer PRIMARY KEY NOT NULL,
  `applied_at` text NOT NULL,
  `author` text NOT NULL,
  `approvers` text NOT NULL,
  `sha256` text NOT NULL,
  `prev_sha256` text,
  `proposal_id` text NOT NULL,
  `artifacts` text NOT NULL
);--> statement-breakpoint
CREATE TABLE `governance_proposals` (
  `id` text PRIMARY KEY NOT NULL,
  `created_at` text NOT NULL,
  `author` text NOT NULL,
  `status` text NOT NULL,
  `base_version` integer NOT NULL,
  `artifacts` text NOT NULL,
  `rationale` text,
  `evidence` text,
  `approvals` text NOT NULL,
  `rejected_by` text,
  `applied_version` integer,
  `impact` text,
  `source` text NOT NULL
);--> statement-breakpoint
CREATE INDEX `governance_proposals_status` ON `governance_proposals` (`status`);--> statement-breakpoint
CREATE TABLE `governance_findings` (
  `id` text PRIMARY KEY NOT NULL,
  `ts` text NOT NULL,
  `kind` text NOT NULL,
  `workload` text,
  `detail` text NOT NULL,
  `proposal_id` text
);--> statement-breakpoint
CREATE INDEX `governance_findings_ts` ON `governance_findings` (`ts`);--> statement-breakpoint
CREATE TABLE `governance_reviews` (
  `id` text PRIMARY KEY NOT NULL,
  `quarter` text NOT NULL,
  `opened_at` text NOT NULL,
  `status` text NOT NULL,
  `items` text NOT NULL,
  `closed_at` text,
  `proposal_id` text
);--> statement-breakpoint
CREATE UNIQUE INDEX `governance_reviews_quarter_unique` ON `governance_reviews` (`quarter`);
