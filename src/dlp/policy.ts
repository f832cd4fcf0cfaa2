/**
 * @module
 * DLP policy: which entity types to look for, what to do with each (allow, redact, block, raise
 * the request's data class), and the organisation's custom patterns. `DlpPolicyConfig` is the zod
 * schema the control plane validates with; {@link compileDlpPolicy} turns a config into an
 * immutable compiled policy once per config version, so a request pays only for the scan.
 */
import { z } from "zod";
import { compileCustomRecognizer, MAX_PATTERN_LENGTH, unsafePatternReason } from "./custom";
import { DEFAULT_RECOGNIZERS } from "./registry";
import { BUILTIN_ENTITY_TYPES, DEFAULT_MIN_SCORE, type EntityType, type Recognizer } from "./types";

export const DlpAction = z.enum(["allow", "redact", "block", "raise"]);
export type DlpAction = z.infer<typeof DlpAction>;

/** Classes DLP can raise a request to (it never lowers one, and `public` is the floor). */
export const RaiseClass = z.enum(["internal", "restricted"]);
export type RaiseClass = z.infer<typeof RaiseClass>;

/** Upper-case entity names, built-in or custom (`EMPLOYEE_ID`). */
export const EntityTypeName = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]{1,47}$/, "upper-case letters, digits and '_', starting with a letter");

/** `"raise"` uses the policy's `raise_to`; the object form names the class for this type. */
export const ActionSpec = z.union([DlpAction, z.object({ action: z.literal("raise"), to: RaiseClass }).strict()]);
export type ActionSpec = z.infer<typeof ActionSpec>;

export const CustomPattern = z
  .object({
    type: EntityTypeName.refine(
      (t) => !(BUILTIN_ENTITY_TYPES as readonly string[]).includes(t),
      "custom types must not reuse a built-in type name",
    ),
    pattern: z
      .string()
      .min(1)
      .max(MAX_PATTERN_LENGTH)
      .superRefine((p, ctx) => {
        const reason = unsafePatternReason(p);
        if (reason !== null) ctx.addIssue({ code: "custom", message: `pattern refused: ${reason}` });
      }),
    ignore_case: z.boolean().optional(),
    context: z.array(z.string().min(1).max(64)).max(32).optional(),
    score: z.number().min(0).max(1).optional(),
    action: ActionSpec.optional(),
  })
  .strict();
export type CustomPattern = z.infer<typeof CustomPattern>;

export const DlpPolicyConfig = z
  .object({
    /** Config version; compiled policies are cached per config object, the version is informative. */
    version: z.union([z.string().max(64), z.number().int()]).optional(),
    enabled: z.boolean().default(true),
    min_score: z.number().min(0).max(1).default(DEFAULT_MIN_SCORE),
    /** Built-in recognizers to run; default all. */
    recognizers: z.array(z.enum(BUILTIN_ENTITY_TYPES)).optional(),
    /** Per-type actions, merged over {@link DEFAULT_DLP_ACTIONS}. */
    actions: z.record(EntityTypeName, ActionSpec).default({}),
    /** Action for custom types that name none and are not in `actions`. */
    default_action: ActionSpec.default("redact"),
    /** Class that a bare `"raise"` raises to. */
    raise_to: RaiseClass.default("restricted"),
    custom: z.array(CustomPattern).max(50).default([]),
  })
  .strict();
/** A validated config (defaults applied). */
export type DlpPolicyConfig = z.infer<typeof DlpPolicyConfig>;
/** What a caller may write (defaults optional). */
export type DlpPolicyConfigInput = z.input<typeof DlpPolicyConfig>;

/**
 * Defaults: credentials never leave; card, SSN and IBAN numbers are masked; contact data makes
 * a request `internal` (so it is not logged in full or cached across teams); IPs pass.
 */
export const DEFAULT_DLP_ACTIONS: Readonly<Record<(typeof BUILTIN_ENTITY_TYPES)[number], ActionSpec>> = {
  SECRET: "block",
  CREDIT_CARD: "redact",
  US_SSN: "redact",
  IBAN_CODE: "redact",
  EMAIL_ADDRESS: { action: "raise", to: "internal" },
  PHONE_NUMBER: { action: "raise", to: "internal" },
  IP_ADDRESS: "allow",
};

/** The default policy config, already valid. */
export const DEFAULT_DLP_POLICY: DlpPolicyConfigInput = { version: "default" };

/** An action with its raise target resolved. */
export type ResolvedAction = { action: "allow" | "redact" | "block" } | { action: "raise"; to: RaiseClass };

/** Immutable, ready-to-run policy. */
export interface CompiledDlpPolicy {
  readonly version: string | number | undefined;
  readonly enabled: boolean;
  readonly minScore: number;
  readonly recognizers: readonly Recognizer[];
  /** The action for a type; unknown types get the default action. */
  actionFor(type: EntityType): ResolvedAction;
}

function resolve(spec: ActionSpec, raiseTo: RaiseClass): ResolvedAction {
  if (typeof spec === "object") return spec;
  return spec === "raise" ? { action: "raise", to: raiseTo } : { action: spec };
}

const compiledCache = new WeakMap<object, CompiledDlpPolicy>();

/**
 * Validates `config` and compiles it: recognizers built, custom patterns compiled, actions
 * resolved. Throws the zod error on an invalid config. Compiling the same config object twice
 * returns the same compiled policy (a WeakMap, so configs that are dropped are not retained).
 *
 * @example
 * const policy = compileDlpPolicy({
 *   actions: { EMAIL_ADDRESS: "redact" },
 *   custom: [{ type: "EMPLOYEE_ID", pattern: "EMP-\\d{6}", context: ["employee"], action: "redact" }],
 * });
 * policy.actionFor("SECRET") // { action: "block" }
 */
export function compileDlpPolicy(config: DlpPolicyConfigInput = DEFAULT_DLP_POLICY): CompiledDlpPolicy {
  const cached = compiledCache.get(config);
  if (cached !== undefined) return cached;
  const parsed = DlpPolicyConfig.parse(config);

  const enabledBuiltins = parsed.recognizers === undefined ? null : new Set<string>(parsed.recognizers);
  const recognizers: Recognizer[] = DEFAULT_RECOGNIZERS.filter(
    (r) => enabledBuiltins === null || enabledBuiltins.has(r.type),
  );
  const actions = new Map<EntityType, ResolvedAction>();
  for (const type of BUILTIN_ENTITY_TYPES) actions.set(type, resolve(DEFAULT_DLP_ACTIONS[type], parsed.raise_to));
  for (const custom of parsed.custom) {
    recognizers.push(compileCustomRecognizer(custom));
    if (custom.action !== undefined) actions.set(custom.type, resolve(custom.action, parsed.raise_to));
  }
  for (const [type, spec] of Object.entries(parsed.actions)) actions.set(type, resolve(spec, parsed.raise_to));
  const fallback = resolve(parsed.default_action, parsed.raise_to);

  const compiled: CompiledDlpPolicy = Object.freeze({
    version: parsed.version,
    enabled: parsed.enabled,
    minScore: parsed.min_score,
    recognizers: Object.freeze(recognizers),
    actionFor: (type: EntityType) => actions.get(type) ?? fallback,
  });
  compiledCache.set(config, compiled);
  return compiled;
}
