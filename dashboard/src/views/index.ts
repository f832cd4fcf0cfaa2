/**
 * @module
 * View id → view. Every view returns at once and fills its sections as their reads answer.
 */
import type { SessionClaims } from "../session";
import { developersView } from "./developers";
import { financeView } from "./finance";
import { knowledgeView } from "./knowledge";
import { overviewView } from "./overview";
import { platformView } from "./platform";
import { securityView } from "./security";
import { workloadsView } from "./workloads";

const VIEWS: Record<string, (claims: SessionClaims) => HTMLElement> = {
  overview: overviewView,
  platform: platformView,
  finance: financeView,
  security: securityView,
  workloads: workloadsView,
  developers: developersView,
  knowledge: knowledgeView,
};

export function renderView(id: string, claims: SessionClaims): HTMLElement {
  const el = VIEWS[id](claims);
  el.dataset.view = id;
  return el;
}
