/**
 * @module
 * The one contract every DLP recognizer implements. A recognizer is a pure function of the text:
 * a cheap prefilter and a candidate regex find spans, a validator (checksum, range rules) throws
 * out look-alikes, and nearby context words raise or lower the score. Adding a recognizer is adding
 * a folder with an `index.ts` that exports a `Recognizer`, plus one line in ../registry.ts.
 *
 * Findings never carry the matched value: a finding that leaks into a log or an error must not
 * leak the secret it describes.
 */

/** Built-in entity types. Custom recognizers add their own upper-case names (e.g. `EMPLOYEE_ID`). */
export const BUILTIN_ENTITY_TYPES = [
  "EMAIL_ADDRESS",
  "PHONE_NUMBER",
  "CREDIT_CARD",
  "IBAN_CODE",
  "US_SSN",
  "IP_ADDRESS",
  "SECRET",
] as const;

export type BuiltinEntityType = (typeof BUILTIN_ENTITY_TYPES)[number];

/**
 * `string & {}` keeps editor completion for the built-in names while still admitting custom ones.
 */
export type EntityType = BuiltinEntityType | (string & {});

/** One detected span. `start`/`end` are UTF-16 offsets into the scanned text, `end` exclusive. */
export interface Finding {
  type: EntityType;
  start: number;
  end: number;
  /** Confidence 0..1 after validation and context adjustment. */
  score: number;
}

/** A pattern + validator + context scorer for one entity type. Must be pure and re-entrant. */
export interface Recognizer {
  type: EntityType;
  /** All candidate findings in `text`, unsorted, possibly overlapping, before score filtering. */
  find(text: string): Finding[];
  /** What a stream scanner must hold back for this recognizer; built-ins declare theirs in ../hold.ts. */
  hold?: HoldRule;
}

/**
 * Streaming: where, at the end of a text that is still growing, a match of one recognizer could
 * start that more text could still create or change. Everything before it can be released.
 */
export interface HoldRule {
  /** Index in `text` of the earliest such start; `text.length` when no candidate is open. */
  candidateStart(text: string): number;
  /** Never hold more than this many chars for this recognizer, whatever the text. */
  maxHold: number;
}

/** Options of {@link scan}. */
export interface ScanOptions {
  /** Findings scoring below this are dropped. Default {@link DEFAULT_MIN_SCORE}. */
  minScore?: number;
  /** Restrict to these types (built-in and custom). Default: all recognizers given. */
  types?: readonly EntityType[];
  /** Recognizers to run instead of the built-in set (a compiled policy passes its own). */
  recognizers?: readonly Recognizer[];
}

/** Scores are calibrated so that a bare, validated candidate without context sits near 0.5–0.9. */
export const DEFAULT_MIN_SCORE = 0.5;
