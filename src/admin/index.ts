/**
 * @module
 * Every admin route, in one list: mounting and the OpenAPI document both read it.
 */
import { catalogRoutes } from "./resources/catalog";
import { tenancyRoutes } from "./resources/tenancy";
import { usageRoutes } from "./resources/usage";
import type { AdminRoute } from "./router";

export const adminRoutes: ReadonlyArray<AdminRoute<any>> = [...catalogRoutes, ...tenancyRoutes, ...usageRoutes];
