/**
 * @module
 * Every admin route of the workloads capability (mounted by src/admin/index.ts).
 */
import type { AdminRoute } from "../admin/router";
import { datasetRoutes } from "./routes-datasets";
import { lifecycleRoutes } from "./routes-lifecycle";
import { upgradeRoutes } from "./routes-upgrades";

export const workloadEvalRoutes: AdminRoute<unknown>[] = [...datasetRoutes, ...lifecycleRoutes, ...upgradeRoutes];
