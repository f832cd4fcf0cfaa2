/**
 * @module
 * Helpers the per-recognizer hold rules share: the trailing run of characters of some class, and
 * whether a partial text could still grow into a match.
 */

/** Start of the maximal run at the end of `text` whose chars satisfy `inRun`, scanning at most `limit` back. */
export function trailingRun(text: string, inRun: (code: number) => boolean, limit = 1024): number {
  const stop = Math.max(0, text.length - limit);
  let i = text.length;
  while (i > stop && inRun(text.charCodeAt(i - 1))) i--;
  return i;
}

/**
 * Start of the trailing run of `inRun` chars, moved forward to its first char that satisfies
 * `startsCandidate`; `text.length` when the run holds no such char (nothing to hold).
 */
export function trailingCandidate(
  text: string,
  inRun: (code: number) => boolean,
  startsCandidate: (code: number) => boolean,
  limit = 1024,
): number {
  let i = trailingRun(text, inRun, limit);
  while (i < text.length && !startsCandidate(text.charCodeAt(i))) i++;
  return i;
}

export const isDigitCode = (c: number): boolean => c >= 48 && c <= 57;
export const isLetterCode = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
export const isAlnumCode = (c: number): boolean => isDigitCode(c) || isLetterCode(c);
export const isSpaceCode = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 160;
