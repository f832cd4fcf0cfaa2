/**
 * @module
 * Provider type → adapter. Adding a provider is adding its folder and one line here.
 */
import type { ProviderType } from "../config/schemas";
import anthropic from "./anthropic";
import azureOpenAi from "./azure-openai";
import gemini from "./gemini";
import openAi from "./openai";
import openAiCompatible from "./openai-compatible";
import simulated from "./simulated";
import type { ProviderAdapter } from "./types";
import workersAi from "./workers-ai";

// A full Record: a provider type without an adapter is a compile error, not a runtime surprise.
const adapters: Record<ProviderType, ProviderAdapter> = {
  "openai-compatible": openAiCompatible,
  openai: openAi,
  "azure-openai": azureOpenAi,
  anthropic,
  gemini,
  "workers-ai": workersAi,
  simulated,
};

/** The adapter for a provider type, or undefined when this build has none. */
export function adapterFor(type: ProviderType): ProviderAdapter | undefined {
  return adapters[type];
}
