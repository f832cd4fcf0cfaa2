/**
 * @module
 * One deterministic PRNG for everything that must draw the same numbers on every machine:
 * forecast simulation intervals, routing score tests, the generated DLP evaluation set.
 * (scripts/lib/random.mjs keeps a plain-JS copy for the Node seed scripts, which cannot import TS.)
 */

export type Rng = () => number;

/**
 * mulberry32: tiny, fast, 32-bit state; floats in [0, 1).
 * @example const r = seededRandom(42); r() // same value on every run
 */
export function seededRandom(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
