// DOM helpers. Every piece of text goes in through textContent (never innerHTML): tracker titles are data, not markup.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const fmt = {
  num(v, digits = 1) { return v === null || v === undefined ? "—" : Number(v).toLocaleString("en", { maximumFractionDigits: digits }); },
  pct(v) { return v === null || v === undefined ? "—" : `${Math.round(v * 100)} %`; },
  signed(v) { return v === null || v === undefined ? "—" : `${v > 0 ? "+" : ""}${Number(v).toFixed(1)}`; },
  date(v) { return v ? String(v).slice(0, 10) : "—"; },
};

/** A table; columns: [{ label, value: row => text|Node, class?, num? }]. */
export function table(columns, rows, { empty = "Nothing to show.", caption } = {}) {
  if (!rows.length) return h("p", { class: "empty", text: empty });
  return h("div", { class: "table-wrap" },
    h("table", {},
      caption ? h("caption", { text: caption }) : null,
      h("thead", {}, h("tr", {}, columns.map(c => h("th", { class: c.num ? "num" : null, scope: "col", title: c.title }, c.label)))),
      h("tbody", {}, rows.map(r => h("tr", {}, columns.map(c => h("td", { class: [c.num ? "num" : "", c.class ? c.class(r) : ""].join(" ").trim() || null }, c.value(r))))))));
}

export function badge(text, kind) { return h("span", { class: `badge ${kind || text}`, text }); }

export function card(label, value, { sub, definition, explain, tone, onExplain } = {}) {
  return h("section", { class: `card ${tone || ""}`, title: definition || null },
    h("div", { class: "card-label", text: label }),
    h("div", { class: "card-value", text: value }),
    sub ? h("div", { class: "card-sub", text: sub }) : null,
    explain ? h("button", { class: "link explain", type: "button", onclick: () => onExplain(explain, label) }, "explain") : null);
}

/** Generic rendering of API JSON (explanations, packs): objects as definition lists, arrays of objects as tables. */
export function render(value, depth = 0) {
  if (value === null || value === undefined) return h("span", { class: "muted", text: "—" });
  if (Array.isArray(value)) {
    if (!value.length) return h("span", { class: "muted", text: "none" });
    if (value.every(v => v && typeof v === "object" && !Array.isArray(v))) {
      const keys = [...new Set(value.flatMap(Object.keys))];
      return table(keys.map(k => ({ label: k, value: r => cell(r[k], depth + 1), num: typeof value[0][k] === "number" })), value);
    }
    return h("span", { text: value.map(v => typeof v === "object" ? JSON.stringify(v) : String(v)).join(", ") });
  }
  if (typeof value === "object") {
    return h("dl", { class: "kv" }, Object.entries(value).flatMap(([k, v]) => [h("dt", { text: k }), h("dd", {}, render(v, depth + 1))]));
  }
  if (typeof value === "number") return h("span", { text: fmt.num(value, 3) });
  return h("span", { text: String(value) });
}

function cell(v, depth) {
  if (v && typeof v === "object" && !Array.isArray(v)) {
    if ("key" in v && "url" in v) return link(v.url, `${v.key}${v.title ? " · " + v.title : ""}`);
    if (depth > 2) return h("span", { text: JSON.stringify(v) });
  }
  if (typeof v === "string" && v.startsWith("/api/")) return h("code", { text: v });
  return render(v, depth);
}

export function link(url, text) {
  const safe = /^https?:\/\//i.test(url || "") ? url : null;
  return safe ? h("a", { href: safe, target: "_blank", rel: "noopener noreferrer", text }) : h("span", { text });
}

/**
 * The data-freshness banner's content (from the MI overview's dataFreshness): each stale source with its worst status, its stale teams
 * and why, as text. Null when every source is fresh.
 */
export function freshnessNotice(freshness) {
  const stale = (freshness?.sources || []).filter(s => s.stale);
  if (!stale.length) return null;
  return h("div", {},
    h("strong", { text: stale.length === 1 ? "Data may be out of date for one source: " : `Data may be out of date for ${stale.length} sources: ` }),
    stale.map((s, i) => h("span", { class: "stale-source", "data-source": s.source },
      i > 0 ? "; " : "",
      h("b", { text: s.source }), ` (${s.status}`,
      s.staleTeams.length ? `, teams ${s.staleTeams.join(", ")}` : "",
      `, last success ${s.lastSuccess ? fmt.date(s.lastSuccess) : "never"}`,
      s.quarantinedItems ? `, ${s.quarantinedItems} quarantined item${s.quarantinedItems === 1 ? "" : "s"}` : "", ")",
      s.reason ? h("span", { class: "muted", text: ` — ${s.reason}` }) : null)),
    h("span", { class: "muted", text: ". Figures of these teams rest on older data; admin and PMO see the details at GET /api/sources." }));
}
