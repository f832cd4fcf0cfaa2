/**
 * @module
 * Vite's `?raw` imports (a file's text as a string), used by eval.test.ts to load the JSONL
 * fixture inside workerd, where there is no file system.
 */
declare module "*?raw" {
  const text: string;
  export default text;
}
