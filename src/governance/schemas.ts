/**
 * @module
 * Zod schemas of the governance artifacts: one per file in governance/. The repo's YAML files,
 * proposals sent to the admin API and stored versions are all parsed with these, so a field means
 * the same thing everywhere. Cross-references (a model named by a workload, a rule named by an
 * exemption) are not checked here but in ./check.ts, which can say which file and path is wrong.
 */
import { z } from "zod";

const DataClass = z.enum(["public", "internal", "restricted"]);
const Zone = z.enum(["us", "eu", "apac"]);
const Role = z.enum(["admin", "finance", "auditor", "team-owner"]);
/** Ids of rules, exemptions, regulations: short, no spaces, stable (they are referenced). */
const RefId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, "letters, digits, '.', '_', ':' and '-' (max 64)");
const EntityType = z.string().regex(/^[A-Z][A-Z0-9_]{1,47}$/, "upper-case entity type, e.g. CREDIT_CARD");
const IsoDate = z.iso.date();

/** Acceptable-use policy: numbered rules, plus how changes to governance itself are approved. */
export const AcceptableUse = z
  .object({
    title: z.string().max(200),
    owner: z.string().max(200),
    review: z
      .object({
        /** Approvals a proposal needs before it may be applied (the author's own never counts). */
        approvals_required: z.number().int().min(1).max(10),
        approver_roles: z.array(Role).min(1),
      })
      .strict(),
    rules: z
      .array(
        z
          .object({
            id: RefId,
            title: z.string().max(200),
            statement: z.string().max(4000),
            /** Where the gateway enforces it, e.g. `dlp:SECRET`, `catalog`, `budget`, `logging`. */
            enforced_by: z.array(z.string().max(64)).default([]),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
export type AcceptableUse = z.infer<typeof AcceptableUse>;

/** Data classification scheme: the classes, and the class each DLP entity type implies. */
export const Classification = z
  .object({
    classes: z.array(z.object({ id: DataClass, description: z.string().max(1000) }).strict()).min(1),
    /** Entity type → class its presence implies (even when the value is redacted). */
    entity_types: z.record(EntityType, DataClass),
  })
  .strict();
export type Classification = z.infer<typeof Classification>;

/** Model catalog approvals: which model may see which data classes in which zones. */
export const CatalogApprovals = z
  .object({
    approvals: z.array(
      z
        .object({
          model: z.string().min(1).max(128),
          data_classes: z.array(DataClass).min(1),
          zones: z.array(Zone).min(1),
          approved_by: z.string().max(200),
          notes: z.string().max(2000).optional(),
        })
        .strict(),
    ),
  })
  .strict();
export type CatalogApprovals = z.infer<typeof CatalogApprovals>;

/** Workload briefs: what each workload is for and what it may use. */
export const WorkloadBriefs = z
  .object({
    workloads: z.array(
      z
        .object({
          id: z.string().min(1).max(64),
          team: z.string().min(1).max(64),
          purpose: z.string().max(2000),
          owner: z.string().max(200),
          data_class: DataClass,
          zone: Zone,
          allowed_models: z.array(z.string().min(1).max(128)),
        })
        .strict(),
    ),
  })
  .strict();
export type WorkloadBriefs = z.infer<typeof WorkloadBriefs>;

/** Exemptions: who is exempt from which rule, why, who approved it, and until when (required). */
export const Exemptions = z
  .object({
    exemptions: z.array(
      z
        .object({
          id: RefId,
          workload: z.string().min(1).max(64),
          rule: RefId,
          reason: z.string().min(1).max(2000),
          requested_by: z.string().max(200),
          approver: z.string().min(1).max(200),
          expires: IsoDate,
          /** What the gateway does differently while it holds: DLP actions for this workload. */
          effect: z
            .object({ dlp: z.record(EntityType, z.enum(["allow", "redact", "block"])) })
            .strict()
            .optional(),
        })
        .strict(),
    ),
  })
  .strict();
export type Exemptions = z.infer<typeof Exemptions>;

/** A link from a decision to what it approved: an artifact item, a proposal or a version. */
export const ChangeRef = z.union([
  z.object({ artifact: z.string().max(64), id: RefId }).strict(),
  z.object({ proposal: z.string().min(1).max(64) }).strict(),
  z.object({ version: z.number().int().min(1) }).strict(),
]);
export type ChangeRef = z.infer<typeof ChangeRef>;

/** Review-board minutes. */
export const Minutes = z
  .object({
    meetings: z.array(
      z
        .object({
          date: IsoDate,
          attendees: z.array(z.string().max(200)).min(1),
          decisions: z.array(z.object({ summary: z.string().max(4000), changes: z.array(ChangeRef).min(1) }).strict()),
          notes: z.string().max(8000).optional(),
        })
        .strict(),
    ),
  })
  .strict();
export type Minutes = z.infer<typeof Minutes>;

/** Regulatory map: regulation → clause → the policies implementing it → the workloads in scope. */
export const RegulatoryMap = z
  .object({
    /** Date the map was last reviewed (the quarterly review updates it). */
    reviewed: IsoDate.optional(),
    regulations: z.array(
      z
        .object({
          id: RefId,
          title: z.string().max(200),
          clauses: z
            .array(
              z
                .object({
                  id: RefId,
                  title: z.string().max(400),
                  policies: z.array(RefId).default([]),
                  /** Which workloads the clause applies to; all selectors combine with AND. */
                  applies_to: z
                    .object({ workloads: z.array(z.string().max(64)).optional(), data_classes: z.array(DataClass).optional(), zones: z.array(Zone).optional() })
                    .strict()
                    .default({}),
                  not_applicable: z.string().min(1).max(2000).optional(),
                })
                .strict(),
            )
            .min(1),
        })
        .strict(),
    ),
  })
  .strict();
export type RegulatoryMap = z.infer<typeof RegulatoryMap>;

/** Every artifact, keyed by its name in a set. */
export const ARTIFACT_SCHEMAS = {
  acceptable_use: AcceptableUse,
  classification: Classification,
  catalog: CatalogApprovals,
  workloads: WorkloadBriefs,
  exemptions: Exemptions,
  minutes: Minutes,
  regulatory_map: RegulatoryMap,
} as const;
export type ArtifactName = keyof typeof ARTIFACT_SCHEMAS;
export const ARTIFACT_NAMES = Object.keys(ARTIFACT_SCHEMAS) as ArtifactName[];

/** The file in governance/ each artifact lives in. */
export const ARTIFACT_FILES: Record<ArtifactName, string> = {
  acceptable_use: "acceptable-use.yaml",
  classification: "data-classification.yaml",
  catalog: "model-catalog.yaml",
  workloads: "workloads.yaml",
  exemptions: "exemptions.yaml",
  minutes: "minutes.yaml",
  regulatory_map: "regulatory-map.yaml",
};

export interface ArtifactSet {
  acceptable_use: AcceptableUse;
  classification: Classification;
  catalog: CatalogApprovals;
  workloads: WorkloadBriefs;
  exemptions: Exemptions;
  minutes: Minutes;
  regulatory_map: RegulatoryMap;
}

/** A full set as sent or stored; each artifact is validated on its own so findings name the file. */
export const ArtifactSetInput = z.object(ARTIFACT_SCHEMAS).strict();
/** A partial set (a proposal may change only some artifacts). */
export const PartialArtifactSet = ArtifactSetInput.partial();
export type PartialArtifactSet = z.infer<typeof PartialArtifactSet>;
