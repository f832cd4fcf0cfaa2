/**
 * @module
 * A tiny element builder: `h("a", { href, class: "num" }, "42")`. Text children are text nodes,
 * never HTML, so nothing the API returns can inject markup.
 */
export type Child = Node | string | number | null | undefined | false | Child[];
type AttrValue = string | number | boolean | undefined | null | ((ev: Event) => void);

/**
 * Creates an element with attributes (`on*` keys become listeners; `true` sets a boolean
 * attribute, `false`/null/undefined omit it) and children.
 * @example h("button", { type: "button", onclick: () => alert(1) }, "Go")
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, AttrValue> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

/** Appends children (nested arrays flattened; falsy skipped). */
export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces every child of `el`. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}
