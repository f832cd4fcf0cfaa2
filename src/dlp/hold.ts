/**
 * @module
 * Hold rules: what a streaming scanner must keep back. Text arrives a few characters at a time,
 * so the end of what has arrived may be the beginning of an entity that is not decided yet
 * (`4111 1111` may become a card number, `jane` may become `jane@acme.io`). Each recognizer
 * declares, as a {@link HoldRule} in its folder (`<type>/hold.ts`), where such a candidate could
 * start; the stream scanner releases everything before the earliest candidate at once.
 *
 * A rule only has to find where a span could *start*: the words that make a candidate
 * recognisable (`api_key =`, `SSN:`) may be released, because the scanner keeps recently released
 * text as context for the next scan.
 */
import type { BuiltinEntityType, Recognizer } from "./types";
import { creditCardHold } from "./credit-card/hold";
import { emailHold } from "./email/hold";
import { ibanHold } from "./iban/hold";
import { ipAddressHold } from "./ip-address/hold";
import { phoneHold } from "./phone/hold";
import { BUILTIN_RECOGNIZERS } from "./registry";
import { secretHold } from "./secret/hold";
import { usSsnHold } from "./us-ssn/hold";
import type { HoldRule } from "./types";

export type { HoldRule } from "./types";

/** Hold rules of the built-in recognizers, by type. */
export const BUILTIN_HOLD_RULES: Readonly<Record<BuiltinEntityType, HoldRule>> = {
  EMAIL_ADDRESS: emailHold,
  PHONE_NUMBER: phoneHold,
  CREDIT_CARD: creditCardHold,
  IBAN_CODE: ibanHold,
  US_SSN: usSsnHold,
  IP_ADDRESS: ipAddressHold,
  SECRET: secretHold,
};

/** For a recognizer that declares no rule: hold a fixed window, as the scanner once did for all. */
export const FALLBACK_HOLD: HoldRule = {
  maxHold: 128,
  candidateStart: (text) => Math.max(0, text.length - 128),
};

/** The hold rule of `recognizer`: its own, the built-in one for its type, or the fixed window. */
export function holdRuleOf(recognizer: Recognizer): HoldRule {
  if (recognizer.hold !== undefined) return recognizer.hold;
  const builtin = BUILTIN_RECOGNIZERS[recognizer.type as BuiltinEntityType];
  return builtin === recognizer ? BUILTIN_HOLD_RULES[recognizer.type as BuiltinEntityType] : FALLBACK_HOLD;
}
