/**
 * @module
 * Tests of the PHONE_NUMBER recognizer: formats, context words, dates/orders/product codes.
 */
import { describe, expect, it } from "vitest";
import { phoneRecognizer } from ".";

/** Spans at or above the default threshold of 0.5. */
const spans = (text: string) =>
  phoneRecognizer
    .find(text)
    .filter((f) => f.score >= 0.5)
    .map((f) => text.slice(f.start, f.end));

describe("phone recognizer", () => {
  it("finds North American formats", () => {
    expect(spans("call (415) 555-0132 or 628-555-0199")).toEqual(["(415) 555-0132", "628-555-0199"]);
    expect(spans("toll free 1-888-555-0111, cell 415.555.0163")).toEqual(["1-888-555-0111", "415.555.0163"]);
  });

  it("finds international formats", () => {
    expect(spans("London +44 20 7946 0958, Berlin +49 (0)30 1234 5678, SMS +14155550188")).toEqual([
      "+44 20 7946 0958",
      "+49 (0)30 1234 5678",
      "+14155550188",
    ]);
    expect(spans("Tokyo +81 3-4567-8901, UK (+44) 7911 123456, from abroad 0044 20 7946 0958")).toEqual([
      "+81 3-4567-8901",
      "(+44) 7911 123456",
      "0044 20 7946 0958",
    ]);
  });

  it("finds European national formats", () => {
    expect(spans("Tel. 030 2345 6789, mobil 0172 3456789")).toEqual(["030 2345 6789", "0172 3456789"]);
    expect(spans("appelez le 01 42 68 53 00 ou 06.12.34.56.78")).toEqual(["01 42 68 53 00", "06.12.34.56.78"]);
  });

  it("needs a phone word for bare ten-digit and seven-digit numbers", () => {
    expect(spans("phone: 4155550132")).toEqual(["4155550132"]);
    expect(spans("call 555-0132 now")).toEqual(["555-0132"]);
    expect(spans("id 4155550132")).toEqual([]);
    expect(spans("total 555-0132")).toEqual([]);
  });

  it("rejects dates, versions, times, order numbers and product codes", () => {
    expect(spans("on 2024-03-15, 03/15/2024, 15.03.2024 at 10:30:45")).toEqual([]);
    expect(spans("version 10.2.3, build 20240315.4")).toEqual([]);
    expect(spans("Order #415-555-0132 and ORD-2024-000123")).toEqual([]);
    expect(spans("SKU 415-555-0132 is out of stock; order number 6469790275")).toEqual([]);
    expect(spans("area 911-555-0132 or 415-911-0132")).toEqual([]); // N11 codes
  });

  it("lets the nearest context word decide in records", () => {
    const text = "phone: 512-739-8761; ssn: 536-90-4399";
    expect(spans(text)).toEqual(["512-739-8761"]);
  });
});
