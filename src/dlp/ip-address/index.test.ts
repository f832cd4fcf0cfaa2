/**
 * @module
 * Tests of the IP_ADDRESS recognizer: IPv4/IPv6 validation and version-number negatives.
 */
import { describe, expect, it } from "vitest";
import { ipAddressRecognizer, isValidIpv4, isValidIpv6 } from ".";

const spans = (text: string) =>
  ipAddressRecognizer
    .find(text)
    .filter((f) => f.score >= 0.5)
    .map((f) => text.slice(f.start, f.end));

describe("IP validation", () => {
  it("validates IPv4 octets", () => {
    expect(isValidIpv4("192.168.1.20")).toBe(true);
    expect(isValidIpv4("0.0.0.0")).toBe(true);
    expect(isValidIpv4("256.1.1.1")).toBe(false);
    expect(isValidIpv4("01.2.3.4")).toBe(false);
    expect(isValidIpv4("1.2.3")).toBe(false);
  });

  it("validates IPv6 forms", () => {
    expect(isValidIpv6("2001:0db8:85a3:0000:0000:8a2e:0370:7334")).toBe(true);
    expect(isValidIpv6("2001:db8::1")).toBe(true);
    expect(isValidIpv6("::ffff:192.0.2.1")).toBe(true);
    expect(isValidIpv6("1::2::3")).toBe(false);
    expect(isValidIpv6("12:30:45")).toBe(false);
    expect(isValidIpv6("00:1a:2b:3c:4d:5e")).toBe(false);
    expect(isValidIpv6("2001:db8::12345")).toBe(false);
  });
});

describe("IP recognizer", () => {
  it("finds IPv4 in logs, headers and with ports or prefixes", () => {
    expect(spans("X-Forwarded-For: 203.0.113.7, 198.51.100.23")).toEqual(["203.0.113.7", "198.51.100.23"]);
    expect(spans("listen 192.168.1.10:8080; route 10.0.0.0/16")).toEqual(["192.168.1.10", "10.0.0.0"]);
  });

  it("finds IPv6, bracketed and with zone ids", () => {
    expect(spans("https://[2001:db8::1]:443/ and fe80::1ff:fe23:4567:890a%eth0")).toEqual(["2001:db8::1", "fe80::1ff:fe23:4567:890a"]);
  });

  it("rejects versions, OIDs, section numbers, out-of-range octets, times, MACs and C++ scopes", () => {
    expect(spans("version 2.4.10.1, v1.2.3.4, release 4.3.2.1, OID 1.3.6.1.4.1, section 3.2.1.4")).toEqual([]);
    expect(spans("Windows 10.0.19045.2965, 256.300.1.1, step 1.2.3.4.5")).toEqual([]);
    expect(spans("at 12:30:45 MAC 00:1a:2b:3c:4d:5e std::vector a::b")).toEqual([]);
  });

  it("leaves dotted phone numbers to the phone recognizer when a phone word says so", () => {
    expect(spans("Mobile 40.61.23.45")).toEqual([]);
    expect(spans("Appelez-moi au 87.12.34.56.")).toEqual([]);
    expect(spans("server 40.61.23.45")).toEqual(["40.61.23.45"]);
  });
});
