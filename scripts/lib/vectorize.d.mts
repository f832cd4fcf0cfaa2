// Types for vectorize.mjs (imported by a workers test to keep the lists in step).
export declare const DEFAULT_VECTORIZE_DIMENSIONS: number;
export declare const METADATA_INDEXES: Array<{ propertyName: string; type: "string" | "number" | "boolean" }>;
export declare function vectorizeIndexNames(toml: string): Record<string, string>;
export declare function vectorizeCommands(indexName: string, dimensions?: number): string[][];
export declare const ALREADY_EXISTS: RegExp;
