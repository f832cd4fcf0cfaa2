/**
 * @module
 * Tests of the CREDIT_CARD recognizer: Luhn, IIN ranges, grouping, context scoring.
 */
import { describe, expect, it } from "vitest";
import { cardNetwork, creditCardRecognizer, isCardNumber, luhnValid } from ".";

const spans = (text: string) =>
  creditCardRecognizer
    .find(text)
    .filter((f) => f.score >= 0.5)
    .map((f) => text.slice(f.start, f.end));

describe("Luhn", () => {
  it("accepts valid and rejects off-by-one numbers", () => {
    expect(luhnValid("4111111111111111")).toBe(true);
    expect(luhnValid("4111111111111112")).toBe(false);
    expect(luhnValid("378282246310005")).toBe(true);
    expect(luhnValid("79927398713")).toBe(true); // the textbook example
    expect(luhnValid("79927398710")).toBe(false);
    expect(luhnValid("")).toBe(false);
    expect(luhnValid("4111a11111111111")).toBe(false);
  });
});

describe("IIN ranges", () => {
  it("maps prefixes and lengths to networks", () => {
    expect(cardNetwork("4111111111111111")).toBe("visa");
    expect(cardNetwork("5555555555554444")).toBe("mastercard");
    expect(cardNetwork("2223003122003222")).toBe("mastercard");
    expect(cardNetwork("378282246310005")).toBe("amex");
    expect(cardNetwork("6011111111111117")).toBe("discover");
    expect(cardNetwork("3530111333300000")).toBe("jcb");
    expect(cardNetwork("36227206271667")).toBe("diners");
    expect(cardNetwork("1234567812345670")).toBeNull(); // no network starts with 1
    expect(cardNetwork("37828224631000")).toBeNull(); // amex is 15 digits
  });
});

describe("credit card recognizer", () => {
  it("finds grouped and compact card numbers", () => {
    expect(spans("Visa 4242 4242 4242 4242, MC 5555-5555-5555-4444, Amex 3782 822463 10005")).toEqual([
      "4242 4242 4242 4242",
      "5555-5555-5555-4444",
      "3782 822463 10005",
    ]);
    expect(spans("card 4012888888881881 cvv 123")).toEqual(["4012888888881881"]);
  });

  it("drops a following expiry or CVV group that the greedy match swallowed", () => {
    expect(spans("card 4242 4242 4242 4242 04/28")).toEqual(["4242 4242 4242 4242"]);
    expect(spans("card 4111111111111111 123 cvv")).toEqual(["4111111111111111"]);
  });

  it("rejects invalid Luhn, unknown IINs, mixed separators, odd grouping and slices of longer numbers", () => {
    expect(spans("4242 4242 4242 4241 and 1234 5678 9012 3456")).toEqual([]);
    expect(isCardNumber("4111 1111-1111 1111")).toBe(false);
    expect(isCardNumber("41111 11111 111111")).toBe(false);
    expect(spans("Tracking number 9400 1000 0000 0000 0000 00")).toEqual([]);
    expect(spans("EAN 4006381333931")).toEqual([]);
    expect(spans("masked **** **** **** 4242")).toEqual([]);
  });

  it("scores card words up and order words down", () => {
    const [withCard] = creditCardRecognizer.find("card number 4111111111111111");
    const [withOrder] = creditCardRecognizer.find("order 4111111111111111");
    expect(withCard.score).toBeGreaterThan(withOrder.score);
    expect(withOrder.score).toBeLessThan(0.5);
  });

  it("finds numbers grouped with dots", () => {
    expect(spans("card 4444.3333.2222.1111 and Amex 3782.822463.10005")).toEqual(["4444.3333.2222.1111", "3782.822463.10005"]);
  });

  it("takes Maestro's legacy ranges when grouped or named as a card, not bare", () => {
    expect(spans("Maestro 5000 5500 0000 0029, UK 6799-9901-0000-0000-019")).toEqual([
      "5000 5500 0000 0029",
      "6799-9901-0000-0000-019",
    ]);
    expect(spans("Numero carta: 6771798021000008")).toEqual(["6771798021000008"]);
    expect(spans("id 6771798021000008")).toEqual([]);
  });
});
