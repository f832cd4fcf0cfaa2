/**
 * @module
 * Tests of the IBAN_CODE recognizer: mod-97, country lengths, grouped forms.
 */
import { describe, expect, it } from "vitest";
import { ibanChecksumValid, ibanRecognizer, isValidIban } from ".";

const spans = (text: string) => ibanRecognizer.find(text).map((f) => text.slice(f.start, f.end));

describe("mod-97", () => {
  it("accepts published examples and rejects altered ones", () => {
    expect(ibanChecksumValid("GB82WEST12345698765432")).toBe(true);
    expect(ibanChecksumValid("DE89370400440532013000")).toBe(true);
    expect(ibanChecksumValid("FR1420041010050500013M02606")).toBe(true);
    expect(ibanChecksumValid("GB82WEST12345698765433")).toBe(false);
    expect(ibanChecksumValid("GB28WEST12345698765432")).toBe(false);
    expect(ibanChecksumValid("GB82WEST1234569876543!")).toBe(false);
  });

  it("checks the country's registered length", () => {
    expect(isValidIban("NO9386011117947")).toBe(true);
    expect(isValidIban("DE8937040044053201300")).toBe(false); // one digit short
    expect(isValidIban("XX89370400440532013000")).toBe(false); // unknown country
  });
});

describe("IBAN recognizer", () => {
  it("finds compact and grouped IBANs", () => {
    expect(spans("IBAN: FR14 2004 1010 0505 0001 3M02 606 (BIC PSSTFRPPXXX)")).toEqual(["FR14 2004 1010 0505 0001 3M02 606"]);
    expect(spans("pay NL91ABNA0417164300 within 14 days")).toEqual(["NL91ABNA0417164300"]);
    expect(spans("CH93 0076 2011 6238 5295 7 and GB29 NWBK 6016 1331 9268 19.")).toEqual([
      "CH93 0076 2011 6238 5295 7",
      "GB29 NWBK 6016 1331 9268 19",
    ]);
  });

  it("cuts a grouped IBAN that runs into a following number back to its length", () => {
    expect(spans("BE68 5390 0754 7034 2024 was the year")).toEqual(["BE68 5390 0754 7034"]);
  });

  it("rejects wrong check digits", () => {
    expect(spans("DE89 3704 0044 0532 0130 01 and GB00WEST12345698765432")).toEqual([]);
  });

  it("knows every country ibantools specifies, registry or not", () => {
    expect(spans("Merci de virer sur DZ70 9306 5468 0523 2933 0756 83.")).toEqual(["DZ70 9306 5468 0523 2933 0756 83"]);
    expect(spans("Please wire to AX9134736365607329 and MG4220924500216261772215026")).toEqual([
      "AX9134736365607329",
      "MG4220924500216261772215026",
    ]);
  });

  it("rejects a BBAN of the wrong format even when mod-97 holds", () => {
    // Germany's BBAN is 18 digits; letters with correct check digits are still not an IBAN.
    const bban = "ABCD12345678901234";
    const numeric = [...`${bban}DE00`].map((c) => (/[A-Z]/.test(c) ? String(c.charCodeAt(0) - 55) : c)).join("");
    let rem = 0;
    for (const d of numeric) rem = (rem * 10 + Number(d)) % 97;
    const iban = `DE${String(98 - rem).padStart(2, "0")}${bban}`;
    expect(ibanChecksumValid(iban)).toBe(true);
    expect(isValidIban(iban)).toBe(false);
  });
});
