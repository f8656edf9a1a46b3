// The "Dependencies" page, from GET /api/mi/dependencies: a graph or a team × team matrix (rows: the blocked team, columns: the
// team it waits for; a cell counts dependency edges' dependencies, at risk in brackets), an "at risk only" filter that applies to the
// graph, the matrix and the edge table, and the edge table with team names. Tracker text goes in as text (ui.js's h()).
import { get } from "./api.js";
import { h, fmt, table, badge } from "./ui.js";

const COLORS = { risk: "#c53030", ok: "#5b6b82" };

/** Renders the page into main; explain(path, label) opens the drawer, pageHead/panel are the dashboard's page parts. */
export async function dependenciesPage(main, { explain, pageHead, panel }) {
  const g = await get("/api/mi/dependencies");
  const names = new Map(g.nodes.map(n => [n.team, n.name]));
  const name = id => names.get(id) || id;
  const view = h("select", { id: "deps-view", "aria-label": "View" },
    h("option", { value: "matrix", text: "Matrix" }), h("option", { value: "graph", text: "Graph" }));
  if (g.nodes.length <= 6) view.value = "graph"; // a small graph reads well; a hairball does not
  const riskOnly = h("input", { id: "deps-at-risk", type: "checkbox" });
  const picture = h("div", { id: "deps-picture" });
  const edges = h("div", { id: "deps-edges" });
  const draw = () => {
    const shown = riskOnly.checked ? g.edges.filter(e => e.isAtRisk) : g.edges;
    picture.replaceChildren(view.value === "graph" ? graph(g, shown, name) : matrix(g, shown, name, explain), legend(view.value));
    edges.replaceChildren(edgeTable(shown, name, explain, riskOnly.checked));
  };
  view.addEventListener("change", draw);
  riskOnly.addEventListener("change", draw);
  const total = g.edges.reduce((s, e) => s + e.dependencies, 0);
  const atRisk = g.edges.reduce((s, e) => s + e.atRisk, 0);
  main.replaceChildren(pageHead("Dependencies between teams",
      `${total} open cross-team dependencies in ${g.edges.length} team pairs, ${atRisk} at risk`,
      h("a", { class: "button", href: "/api/mi/dependencies?format=csv", download: "mi-dependencies.csv" }, "CSV")),
    panel("Teams", h("div", {},
      h("div", { class: "filters" }, h("label", {}, "View ", view), h("label", { class: "check" }, riskOnly, " At risk only")), picture), g.definition),
    panel("Edges", edges));
  draw();
}

function legend(kind) {
  return kind === "graph"
    ? h("div", { class: "legend" },
      h("span", { class: "swatch ok" }), "dependency (arrow points to the team it waits for; thicker = more)",
      h("span", { class: "swatch risk" }), "at risk (blocker unscheduled or finishing after the dependent starts)")
    : h("div", { class: "legend" },
      "Rows: the team that waits; columns: the team it waits for. A cell: dependencies (at risk marked ! in brackets). ",
      h("span", { class: "cell-key risk", text: "3 (1!)" }), " has dependencies at risk. Click a cell for the items.");
}

function edgeTable(edges, name, explain, riskOnly) {
  return table([
    { label: "Team", value: e => name(e.from) }, { label: "waits for", value: e => name(e.to) },
    { label: "Dependencies", value: e => String(e.dependencies), num: true }, { label: "Blocker points", value: e => fmt.num(e.points), num: true },
    { label: "At risk", value: e => e.atRisk ? badge(String(e.atRisk), "late") : "0", num: true },
    { label: "", value: e => h("button", { class: "link", type: "button", onclick: () => explain(e.explain, `${name(e.from)} → ${name(e.to)}`) }, "explain") },
  ], [...edges].sort((a, b) => b.atRisk - a.atRisk || b.dependencies - a.dependencies),
  { empty: riskOnly ? "No cross-team dependencies at risk." : "No open cross-team dependencies." });
}

/** Rows: the blocked team (edge.from); columns: the blocking team (edge.to); only teams with an edge shown. */
function matrix(g, edges, name, explain) {
  if (!edges.length) return h("p", { class: "empty", text: "No dependencies to show." });
  const byPair = new Map(edges.map(e => [`${e.from}\u0000${e.to}`, e]));
  const teams = g.nodes.map(n => n.team);
  const rows = teams.filter(t => edges.some(e => e.from === t));
  const cols = teams.filter(t => edges.some(e => e.to === t));
  const cell = (from, to) => {
    const e = byPair.get(`${from}\u0000${to}`);
    if (!e) return h("td", { class: "num empty-cell" }, from === to ? "" : "·");
    const label = `${name(from)} waits for ${name(to)}: ${e.dependencies} dependencies, ${e.atRisk} at risk`;
    return h("td", { class: `num ${e.atRisk ? "risk" : "dep"}`, "data-from": from, "data-to": to },
      h("button", { type: "button", class: "cell", title: label, "aria-label": label, onclick: () => explain(e.explain, `${name(from)} → ${name(to)}`) },
        e.atRisk ? `${e.dependencies} (${e.atRisk}!)` : String(e.dependencies)));
  };
  const sum = (list, f) => list.reduce((s, e) => s + f(e), 0);
  return h("div", { class: "table-wrap" }, h("table", { class: "matrix", id: "deps-matrix" },
    h("caption", { class: "muted", text: "Dependencies by team: rows wait for columns" }),
    h("thead", {}, h("tr", {}, h("td", { class: "corner", text: "waits ↓ for →" }),
      cols.map(c => h("th", { scope: "col", class: "num", "data-team": c, text: name(c) })), h("th", { scope: "col", class: "num", text: "Total" }))),
    h("tbody", {}, rows.map(r => h("tr", {}, h("th", { scope: "row", "data-team": r, text: name(r) }), cols.map(c => cell(r, c)),
      h("td", { class: "num total" }, String(sum(edges.filter(e => e.from === r), e => e.dependencies)))))),
    h("tfoot", {}, h("tr", {}, h("th", { scope: "row", text: "Total" }),
      cols.map(c => h("td", { class: "num total" }, String(sum(edges.filter(e => e.to === c), e => e.dependencies)))),
      h("td", { class: "num total" }, String(sum(edges, e => e.dependencies)))))));
}

function graph(g, edges, name) {
  const NS = "http://www.w3.org/2000/svg";
  const s = (tag, attrs, text) => {
    const el = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    if (text !== undefined) el.textContent = text;
    return el;
  };
  const W = 1040, H = g.nodes.length > 6 ? 640 : 420, cx = W / 2, cy = H / 2, RX = W / 2 - 120, RY = H / 2 - 70;
  const pos = new Map(g.nodes.map((n, i) => {
    const a = (2 * Math.PI * i) / Math.max(1, g.nodes.length) + Math.PI; // first team on the left, round an ellipse
    return [n.team, { x: cx + RX * Math.cos(a), y: cy + RY * Math.sin(a), ux: Math.cos(a), uy: Math.sin(a) }];
  }));
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "graph", role: "img", "aria-label": "Dependency graph between teams" });
  const defs = s("defs", {});
  for (const [id, color] of [["arrow-ok", COLORS.ok], ["arrow-risk", COLORS.risk]]) {
    const m = s("marker", { id, viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 12, markerHeight: 12, markerUnits: "userSpaceOnUse", orient: "auto-start-reverse" });
    m.append(s("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: color }));
    defs.append(m);
  }
  svg.append(defs);
  const max = Math.max(1, ...edges.map(e => e.dependencies));
  for (const e of edges) {
    const a = pos.get(e.from), b = pos.get(e.to);
    if (!a || !b) continue;
    const dx = b.x - a.x, dy = b.y - a.y, len = Math.hypot(dx, dy) || 1, nx = -dy / len, ny = dx / len, r = 30;
    const bend = 36; // both directions of a pair stay visible
    const x1 = a.x + dx / len * r, y1 = a.y + dy / len * r, x2 = b.x - dx / len * (r + 4), y2 = b.y - dy / len * (r + 4);
    const mx = (x1 + x2) / 2 + nx * bend, my = (y1 + y2) / 2 + ny * bend;
    const path = s("path", { d: `M ${x1} ${y1} Q ${mx} ${my} ${x2} ${y2}`, fill: "none",
      stroke: e.isAtRisk ? COLORS.risk : COLORS.ok, "stroke-width": 1.5 + 5 * e.dependencies / max,
      "stroke-dasharray": e.isAtRisk ? "7 4" : "none", "marker-end": `url(#${e.isAtRisk ? "arrow-risk" : "arrow-ok"})`, class: e.isAtRisk ? "edge at-risk" : "edge" });
    path.append(s("title", {}, `${name(e.from)} waits for ${name(e.to)}: ${e.dependencies} dependencies, ${e.atRisk} at risk`));
    svg.append(path, s("text", { x: mx, y: my, class: "edge-label", "text-anchor": "middle" }, e.atRisk ? `${e.dependencies} (${e.atRisk}!)` : String(e.dependencies)));
  }
  for (const n of g.nodes) {
    const p = pos.get(n.team);
    const grp = s("g", { class: "node" });
    grp.append(s("circle", { cx: p.x, cy: p.y, r: 28, class: n.atRisk ? "node-risk" : "node-ok" }),
      s("text", { x: p.x, y: p.y + 4, "text-anchor": "middle", class: "node-count" }, String(n.dependsOn + n.blocks)),
      s("text", { x: p.x + p.ux * 40, y: p.y + p.uy * 40 + 4, "text-anchor": Math.abs(p.ux) < 0.3 ? "middle" : p.ux > 0 ? "start" : "end", class: "node-label" }, n.name),
      s("title", {}, `${n.name}: waits on ${n.dependsOn}, blocks ${n.blocks}, at risk ${n.atRisk}`));
    svg.append(grp);
  }
  return svg;
}
