/**
 * @module
 * The built-in recognizers, one per entity type. Adding a recognizer is one line here.
 */
import { creditCardRecognizer } from "./credit-card";
import { emailRecognizer } from "./email";
import { ibanRecognizer } from "./iban";
import { ipAddressRecognizer } from "./ip-address";
import { phoneRecognizer } from "./phone";
import { secretRecognizer } from "./secret";
import type { BuiltinEntityType, Recognizer } from "./types";
import { usSsnRecognizer } from "./us-ssn";

export const BUILTIN_RECOGNIZERS: Readonly<Record<BuiltinEntityType, Recognizer>> = {
  EMAIL_ADDRESS: emailRecognizer,
  PHONE_NUMBER: phoneRecognizer,
  CREDIT_CARD: creditCardRecognizer,
  IBAN_CODE: ibanRecognizer,
  US_SSN: usSsnRecognizer,
  IP_ADDRESS: ipAddressRecognizer,
  SECRET: secretRecognizer,
};

/** Secrets first: when spans tie on score and length, the earlier recognizer wins. */
export const DEFAULT_RECOGNIZERS: readonly Recognizer[] = [
  secretRecognizer,
  ibanRecognizer,
  creditCardRecognizer,
  usSsnRecognizer,
  emailRecognizer,
  ipAddressRecognizer,
  phoneRecognizer,
];
