/**
 * @module
 * Test helpers shared by the DLP stream tests (not imported by runtime code).
 */

/** Deterministic pseudo-random chunking, 1–maxSize chars per chunk. */
export function chunk(text: string, seed: number, maxSize: number): string[] {
  const out: string[] = [];
  let x = seed;
  for (let i = 0; i < text.length; ) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const n = 1 + (x % maxSize);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}
