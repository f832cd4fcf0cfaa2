import PostalMime from "postal-mime";
import { describe, expect, it } from "vitest";
import { base64Lines, buildReportMime } from "./mime";

describe("report MIME", () => {
  const raw = buildReportMime({
    id: "rep_finance_2026-11", from: "switchyard@acme.example", to: ["finance@acme.example", "board@acme.example"],
    subject: "Finance report 2026-11 — Équipe Données 東京", text: "Spend €1,234.56 for Équipe Données — 東京\n", html: `<p>Équipe ${"x".repeat(5000)}</p><svg xmlns="http://www.w3.org/2000/svg"></svg>`,
    attachment: { filename: "switchyard-focus-2026-11.csv", contentType: "text/csv", content: "BilledCost,Tags\r\n1.5,\"{\"\"team\"\":\"\"équipe\"\"}\"\r\n" },
    date: new Date("2026-12-01T06:00:00Z"),
  });

  it("is 7-bit, CRLF, with lines within RFC 5322's limit", () => {
    expect(/^[\x00-\x7f]*$/.test(raw)).toBe(true);
    expect(raw.includes("\n") && !/[^\r]\n/.test(raw)).toBe(true);
    expect(raw.split("\r\n").every((l) => l.length <= 998)).toBe(true);
    expect(raw).toContain("Message-ID: <rep_finance_2026-11@acme.example>");
    expect(raw).toContain("Date: Tue, 01 Dec 2026 06:00:00 +0000");
  });

  it("parses back: encoded subject, both recipients, text and HTML parts, the CSV attachment byte for byte", async () => {
    const m = await PostalMime.parse(raw);
    expect(m.subject).toBe("Finance report 2026-11 — Équipe Données 東京");
    expect(m.from?.address).toBe("switchyard@acme.example");
    expect(m.to?.map((t) => t.address)).toEqual(["finance@acme.example", "board@acme.example"]);
    expect(m.messageId).toBe("<rep_finance_2026-11@acme.example>");
    expect(m.text).toBe("Spend €1,234.56 for Équipe Données — 東京\n");
    expect(m.html).toContain("<svg");
    expect(m.attachments).toHaveLength(1);
    const a = m.attachments[0];
    expect(a.filename).toBe("switchyard-focus-2026-11.csv");
    expect(a.mimeType).toBe("text/csv");
    expect(typeof a.content === "string" ? a.content : new TextDecoder().decode(a.content)).toBe("BilledCost,Tags\r\n1.5,\"{\"\"team\"\":\"\"équipe\"\"}\"\r\n");
  });

  it("wraps base64 at 76 characters", () => {
    expect(base64Lines("x".repeat(200)).split("\r\n").every((l) => l.length <= 76)).toBe(true);
  });
});
