/**
 * @module
 * Every admin route, in one list: mounting and the OpenAPI document both read it.
 */
import { agentRoutes } from "./resources/agents";
import { budgetRoutes } from "./resources/budget";
import { catalogRoutes } from "./resources/catalog";
import { dashboardRoutes } from "./resources/dashboard";
import { dlpRoutes } from "./resources/dlp";
import { financeRoutes } from "./resources/finance";
import { governanceRoutes } from "./resources/governance";
import { governanceAnalysisRoutes } from "./resources/governance-analysis";
import { guardrailTuningRoutes } from "./resources/guardrail-tuning";
import { logRoutes } from "./resources/logs";
import { operationsRoutes } from "./resources/operations";
import { reportRoutes } from "./resources/reports";
import { routingRoutes } from "./resources/routing";
import { surveyRoutes } from "./resources/surveys";
import { tenancyRoutes } from "./resources/tenancy";
import { usageRoutes } from "./resources/usage";
import type { AdminRoute } from "./router";
import { workloadEvalRoutes } from "../workloads/routes";
import { maturityRoutes } from "../maturity/routes";
import { knowledgeRoutes } from "../knowledge/routes";

export const adminRoutes: ReadonlyArray<AdminRoute<unknown>> = [
  ...catalogRoutes, ...tenancyRoutes, ...usageRoutes, ...budgetRoutes, ...agentRoutes, ...routingRoutes, ...logRoutes,
  ...dlpRoutes, ...financeRoutes, ...reportRoutes, ...governanceRoutes, ...governanceAnalysisRoutes,
  ...operationsRoutes, ...surveyRoutes, ...guardrailTuningRoutes, ...workloadEvalRoutes, ...dashboardRoutes,
  ...maturityRoutes, ...knowledgeRoutes,
];
