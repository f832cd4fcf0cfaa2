/**
 * @module
 * Tests of the EMAIL_ADDRESS recognizer and its hard negatives.
 */
import { describe, expect, it } from "vitest";
import { emailRecognizer, isValidDomain, isValidLocalPart } from ".";

const spans = (text: string) => emailRecognizer.find(text).map((f) => text.slice(f.start, f.end));

describe("email recognizer", () => {
  it("finds addresses in prose, brackets, JSON and CSV", () => {
    expect(spans("mail jane.doe@acme.io now")).toEqual(["jane.doe@acme.io"]);
    expect(spans("cc <ops-team@acme.co>, {\"to\":\"billing@north-wind.com\"}")).toEqual(["ops-team@acme.co", "billing@north-wind.com"]);
    expect(spans("1,JOHN.DOE@HOSPITAL.NHS.UK,pro")).toEqual(["JOHN.DOE@HOSPITAL.NHS.UK"]);
    expect(spans("mailto:press@bigcorp.org")).toEqual(["press@bigcorp.org"]);
  });

  it("keeps trailing sentence punctuation out of the span", () => {
    expect(spans("write to a.b@c-d.io.")).toEqual(["a.b@c-d.io"]);
  });

  it("rejects handles, asset names, package versions, hosts without a TLD, SSH remotes and URL credentials", () => {
    expect(spans("ping @oncall and @devops")).toEqual([]);
    expect(spans("logo@2x.png react@18.2.0 admin@localhost")).toEqual([]);
    expect(spans("git clone git@github.com:acme/widgets.git")).toEqual([]);
    expect(spans("postgres://app:s3cret@db.internal.io/app")).toEqual([]);
  });

  it("validates local part and domain", () => {
    expect(isValidLocalPart("jane.doe+news")).toBe(true);
    expect(isValidLocalPart("jane..doe")).toBe(false);
    expect(isValidLocalPart(".jane")).toBe(false);
    expect(isValidDomain("mail.acme.io")).toBe(true);
    expect(isValidDomain("-acme.io")).toBe(false);
    expect(isValidDomain("acme.i")).toBe(false);
  });

  it("costs one indexOf on text without @", () => {
    expect(emailRecognizer.find("no addresses here ".repeat(500))).toEqual([]);
  });

  it("takes RFC-legal odd forms: quoted local parts, address literals, atext punctuation", () => {
    expect(spans('write to "john..doe"@example.org today')).toEqual(['"john..doe"@example.org']);
    expect(spans("bounce rcpt=<postmaster@[192.0.2.1]> and user@[IPv6:2001:db8::1]")).toEqual([
      "postmaster@[192.0.2.1]",
      "user@[IPv6:2001:db8::1]",
    ]);
    expect(spans("mail o'reilly@example.ie or name/surname@example.com")).toEqual([
      "o'reilly@example.ie",
      "name/surname@example.com",
    ]);
    expect(spans("user@[300.1.1.1] and ?email=jane@acme.io")).toEqual(["jane@acme.io"]);
    expect(spans("{email: 'user@example.com', cc: `ops@acme.io`}")).toEqual(["user@example.com", "ops@acme.io"]);
  });
});
