/**
 * @module
 * The dashboard shell: sign-in (a `#token=` link, or a pasted token), the role's navigation, hash
 * routing (`#/finance`), and the signed-out / not-allowed states. Each view reads the admin API only.
 */
import "uplot/dist/uPlot.min.css";
import "./styles.css";
import { clearApiCache, onUnauthorized } from "./api";
import { VIEWS, viewsFor, type ViewInfo } from "./access";
import { h, replace } from "./dom";
import { installRecordsLinks } from "./records";
import { adoptTokenFromLocation, currentToken, readClaims, signOut, storeToken, type SessionClaims } from "./session";
import { renderView } from "./views";

const app = document.getElementById("app")!;

function route(): string {
  const m = /^#\/([a-z-]*)/.exec(location.hash);
  return m ? m[1] : "";
}

function signInScreen(message?: string): void {
  document.title = "Sign in · Switchyard";
  const input = h("textarea", { id: "token", rows: 4, required: true, spellcheck: "false", autocomplete: "off" });
  const form = h("form", {
    class: "signin", "data-state": "signed-out",
    onsubmit: (e: Event) => { e.preventDefault(); storeToken(input.value); history.replaceState(null, "", `${location.pathname}#/`); start(); },
  },
  h("h1", {}, "Switchyard dashboard"),
  message ? h("p", { class: "notice error", role: "alert" }, message) : h("p", {}, "You are signed out."),
  h("p", {}, "Locally, open a sign-in link from ", h("code", {}, "npm run -s demo:credentials"), " (field ", h("code", {}, "dashboard"), "). ",
    "In production, paste an admin token issued by your identity provider (verified against ADMIN_JWKS_URL)."),
  h("label", { for: "token" }, "Admin token (JWT)"), input,
  h("button", { type: "submit" }, "Sign in"));
  replace(app, h("main", { id: "main", tabindex: -1 }, form));
}

function shell(claims: SessionClaims, views: ViewInfo[]): { main: HTMLElement; nav: HTMLElement } {
  const nav = h("nav", { "aria-label": "Views" },
    h("ul", {}, views.map((v) => h("li", {}, h("a", { href: `#/${v.id}`, "data-view": v.id }, v.title)))));
  const main = h("main", { id: "main", tabindex: -1 });
  const header = h("header", { class: "top" },
    h("a", { class: "brand", href: "#/" }, "Switchyard"),
    nav,
    h("div", { class: "who", "data-role": claims.role },
      h("span", {}, `${claims.sub} · ${claims.role}${claims.team ? ` (${claims.team})` : ""}`),
      h("button", { type: "button", onclick: () => { signOut(); clearApiCache(); signInScreen(); } }, "Sign out")));
  replace(app, header, main);
  return { main, nav };
}

function start(): void {
  const token = currentToken();
  const claims = token ? readClaims(token) : null;
  if (!token || !claims) {
    signInScreen(token ? "That is not a JWT." : undefined);
    return;
  }
  const views = viewsFor(claims.role);
  const { main, nav } = shell(claims, views);
  const show = () => {
    const id = route() || views[0]?.id || "";
    const view = VIEWS.find((v) => v.id === id);
    for (const a of nav.querySelectorAll<HTMLAnchorElement>("a[data-view]")) {
      if (a.dataset.view === id) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    if (!view) {
      replace(main, h("div", { class: "notice", "data-state": "not-found" }, h("h1", {}, "No such view"), h("p", {}, h("a", { href: "#/" }, "Back to the start"))));
    } else if (!views.includes(view)) {
      document.title = `Not allowed · Switchyard`;
      replace(main, h("div", { class: "notice forbidden", "data-state": "forbidden", role: "alert" },
        h("h1", {}, `${view.title}: not allowed`),
        h("p", {}, `Your role (${claims.role}) may not read the records behind this view; the admin API answers 403 for them.`)));
    } else {
      document.title = `${view.title} · Switchyard`;
      replace(main, renderView(view.id, claims));
    }
    main.focus({ preventScroll: false });
  };
  window.onhashchange = () => {
    if (adoptTokenFromLocation()) return start();
    if (location.hash.startsWith("#records:")) return; // a records link opened the panel
    show();
  };
  show();
}

onUnauthorized(() => {
  signOut();
  signInScreen("Signed out: the admin API refused the token (expired or not valid here). Sign in again.");
});
installRecordsLinks(document.body);
// The skip link targets <main>, not a hash (the hash is the router's).
document.querySelector<HTMLAnchorElement>("a.skip")?.addEventListener("click", (e) => {
  e.preventDefault();
  document.getElementById("main")?.focus();
});
adoptTokenFromLocation();
start();
