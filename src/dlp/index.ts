/**
 * @module
 * Data-loss prevention for the gateway hot path: recognizers for contact data, payment and bank
 * numbers, SSNs, IP addresses and credentials; a compiled per-type policy (allow, redact, block,
 * raise the data class); and a streaming scanner for responses. Everything here is a pure
 * function of its inputs: no bindings, no I/O.
 *
 * @example
 * import { applyDlp, compileDlpPolicy } from "../dlp";
 * const policy = compileDlpPolicy(bundle.dlp);            // once per config version
 * const { blocked, redactedText, raiseTo } = applyDlp(policy, prompt);
 */
export { scan } from "./scan";
export { applyDlp, redactSpans, type DlpResult } from "./apply";
export { createStreamScanner, scannerPassesThrough, type StreamScanner, type StreamScannerOptions, type StreamSummary } from "./stream";
export {
  ActionSpec,
  CustomPattern,
  DEFAULT_DLP_ACTIONS,
  DEFAULT_DLP_POLICY,
  DlpAction,
  DlpPolicyConfig,
  RaiseClass,
  compileDlpPolicy,
  type CompiledDlpPolicy,
  type DlpPolicyConfigInput,
  type ResolvedAction,
} from "./policy";
export { compileCustomRecognizer, unsafePatternReason, type CustomRecognizerConfig } from "./custom";
export { BUILTIN_RECOGNIZERS, DEFAULT_RECOGNIZERS } from "./registry";
export { BUILTIN_HOLD_RULES, holdRuleOf } from "./hold";
export {
  BUILTIN_ENTITY_TYPES,
  DEFAULT_MIN_SCORE,
  type BuiltinEntityType,
  type EntityType,
  type Finding,
  type HoldRule,
  type Recognizer,
  type ScanOptions,
} from "./types";
