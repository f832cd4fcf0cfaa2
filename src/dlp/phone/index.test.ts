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

  it("finds national numbers of many countries next to a phone word, in several languages", () => {
    expect(spans("Meu número é 912 345 678")).toEqual(["912 345 678"]);
    expect(spans("Llámame al 612 34 56 78")).toEqual(["612 34 56 78"]);
    expect(spans("Bel me op 06-12345678 na 17 uur")).toEqual(["06-12345678"]);
    expect(spans("Call me on 050-123-4567 tomorrow")).toEqual(["050-123-4567"]);
    expect(spans("Tel. 8 (771) 000 9998")).toEqual(["8 (771) 000 9998"]);
    expect(spans("Phone: (0-612) 34567")).toEqual(["(0-612) 34567"]);
    expect(spans("Mobile 40.61.23.45")).toEqual(["40.61.23.45"]);
    // No-break spaces, as word processors and mail clients put them into numbers.
    expect(spans("Mon portable : 06\u00a012\u00a034\u00a056\u00a078")).toEqual(["06\u00a012\u00a034\u00a056\u00a078"]);
    expect(spans("Tél. +33\u202f1\u202f42\u202f68\u202f53\u202f00")).toEqual(["+33\u202f1\u202f42\u202f68\u202f53\u202f00"]);
  });

  it("includes an extension in the span", () => {
    expect(spans("Reach me at +1 201-555-0123 ext. 123 today")).toEqual(["+1 201-555-0123 ext. 123"]);
    expect(spans("Phone 071 234 5678 x204")).toEqual(["071 234 5678 x204"]);
    expect(spans("contact_uri=tel:+41-44-668-18-00;ext=301")).toEqual(["+41-44-668-18-00;ext=301"]);
  });

  it("validates international numbers against the country's numbering plan", () => {
    expect(spans("Gibraltar office +350 57123456, mobile +49.1512.3456789")).toEqual(["+350 57123456", "+49.1512.3456789"]);
    expect(spans("+44 (0)7400 123456 or 0049 1512 3456789")).toEqual(["+44 (0)7400 123456", "0049 1512 3456789"]);
    expect(spans("+1 123 456 7890 and +999 1234 5678")).toEqual([]); // NANP area 1xx; no country +999
  });

  it("needs the phone word in the number's own clause; other words only veto", () => {
    expect(spans("to call the API. Bad address 878.48.129.33 was rejected")).toEqual([]);
    expect(spans("Address: 221B Baker St, 020 7946 0958")).toEqual(["020 7946 0958"]);
    expect(spans("57123456 (mobile)")).toEqual(["57123456"]);
  });

  it("does not take counts, amounts, times or ids because a phone word is near", () => {
    expect(spans("Call volume rose to 1 234 567 in Q3, up from 998 210.")).toEqual([]);
    expect(spans("Appels : 1\u202f234\u202f567 ce trimestre")).toEqual([]);
    expect(spans("Mobile data used: 1.234.567 KB this month.")).toEqual([]);
    expect(spans("Please call between 09:00 and 17:30, Mon-Fri.")).toEqual([]);
    expect(spans("Contact: 2 people, 150000 users; call about the 150000.00 invoice")).toEqual([]);
    expect(spans("fix type error for fromSSEResponse call ([2405664](https://github.com/x/y/commit/2405664))")).toEqual([]);
    expect(spans("Ruf mich an wegen Rechnung 2024-118-4452.")).toEqual([]);
    expect(spans("call 06-64479341 about the renewal. OID 1.3.6.1.4.1.61673")).toEqual(["06-64479341"]);
  });
});
