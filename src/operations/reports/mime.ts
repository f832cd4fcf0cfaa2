/**
 * @module
 * The report email as one RFC 5322 message, built with mimetext (its browser build runs in
 * workerd): multipart/alternative text + HTML, the FOCUS CSV attached. Text parts travel base64
 * so non-ASCII (team names, "€", "—") and long SVG lines survive every relay; headers with
 * non-ASCII are RFC 2047-encoded by mimetext.
 */
import { createMimeMessage } from "mimetext/browser";

/** Base64 of the UTF-8 bytes, wrapped at 76 characters (RFC 2045). */
export function base64Lines(text: string | Uint8Array): string {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return (btoa(binary).match(/.{1,76}/g) ?? []).join("\r\n");
}

export interface ReportMessage {
  id: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  attachment: { filename: string; contentType: string; content: string };
  date: Date;
}

/**
 * @example buildReportMime({ id: "rep_x", from: "switchyard@acme.example", to: ["finance@acme.example"], ... })
 */
export function buildReportMime(m: ReportMessage): string {
  const msg = createMimeMessage();
  msg.setSender({ name: "Switchyard", addr: m.from });
  msg.setTo(m.to);
  msg.setSubject(m.subject);
  const domain = m.from.split("@")[1] ?? "switchyard.local";
  msg.setHeader("Message-ID", `<${m.id}@${domain}>`);
  msg.setHeader("Date", m.date.toUTCString().replace(/GMT|UTC/, "+0000"));
  msg.setHeader("X-Switchyard-Report", m.id);
  msg.addMessage({ contentType: "text/plain", charset: "UTF-8", encoding: "base64", data: base64Lines(m.text) });
  msg.addMessage({ contentType: "text/html", charset: "UTF-8", encoding: "base64", data: base64Lines(m.html) });
  msg.addAttachment({ filename: m.attachment.filename, contentType: m.attachment.contentType, data: base64Lines(m.attachment.content) });
  // RFC 5322 wants CRLF line ends everywhere.
  return msg.asRaw().replace(/\r?\n/g, "\r\n");
}
