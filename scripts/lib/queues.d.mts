/** Types for ./queues.mjs (imported by the tests). */
export function queueNames(toml: string): Record<string, string[]>;
