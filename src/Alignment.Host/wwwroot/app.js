// The Alignment dashboard: plain ES modules, no build step. Data comes from the MI endpoints (management, PMO, admin);
// findings and planning/retrospective packs come from the team-data endpoints when the signed-in role may read them.
import { get, signedIn, signInWithKey, signInWithToken, signOut, ApiError } from "./api.js";
import { h, fmt, table, badge, card, render, link, freshnessNotice } from "./ui.js";
import { valuePage } from "./value.js";
import { dependenciesPage } from "./deps.js";
import { trendPanel } from "./trends.js";
import { intervalsPage } from "./intervals.js";

const main = document.getElementById("main");
const banner = document.getElementById("sync-banner");
const drawer = document.getElementById("drawer");
const charts = [];
let navigation = 0;
const STATUS = { late: "late", atRisk: "at risk", onTrack: "on track", unknown: "unknown", noTarget: "no target", done: "done" };
const COLORS = { committed: "#b9c6d8", completed: "#2f6fde", sayDo: "#e08a1e", risk: "#d23f3f", ok: "#6b7a90" };

if (window.Chart) {
  Chart.defaults.animation = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#4a5568";
  Chart.defaults.plugins.legend.position = "bottom";
}

window.addEventListener("hashchange", route);
route();

function session() {
  const el = document.getElementById("session");
  el.replaceChildren();
  if (signedIn()) el.append(h("button", { class: "ghost", type: "button", onclick: () => { signOut(); route(); } }, "Sign out"));
}

async function route() {
  charts.splice(0).forEach(c => c.destroy());
  closeDrawer();
  session();
  if (!signedIn()) { showBanner(null, "signedOut"); return signInPage(); }
  freshnessBanner();
  const parts = (location.hash.replace(/^#\/?/, "") || "").split("/").map(decodeURIComponent);
  const section = parts[0] || "overview";
  for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("active", a.dataset.section === section);
  main.replaceChildren(h("p", { class: "loading", text: "Loading…" }));
  // Each navigation renders through its own view: a page still loading when the user moved on never replaces the newer one.
  const nav = ++navigation;
  const view = { replaceChildren: (...nodes) => { if (nav === navigation) main.replaceChildren(...nodes); } };
  try {
    if (section === "teams" && parts[1] && parts[2] === "planning") await packPage(view, parts[1], "planning");
    else if (section === "teams" && parts[1] && parts[2] === "retrospective") await packPage(view, parts[1], "retrospective");
    else if (section === "teams" && parts[1]) await teamPage(view, parts[1]);
    else if (section === "teams") await teamsPage(view);
    else if (section === "epics") await epicsPage(view);
    else if (section === "dependencies") await dependenciesPage(view, { explain, pageHead, panel });
    else if (section === "findings") await findingsPage(view);
    else if (section === "value") await valuePage(view, { track: c => charts.push(c), explain });
    else if (section === "intervals") await intervalsPage(view, { track: c => charts.push(c), explain, pageHead, panel });
    else await overviewPage(view);
  } catch (e) {
    view.replaceChildren(problem(e));
  }
}

// ---- data-freshness banner (every page) --------------------------------------------------------------------------

/** Shows which sources are stale, partial or failed (MI overview's dataFreshness); nothing for roles without the MI. */
async function freshnessBanner() {
  try {
    const o = await get("/api/mi/overview");
    showBanner(o.dataFreshness ? freshnessNotice(o.dataFreshness) : null, o.dataFreshness ? undefined : "unknown");
  } catch { showBanner(null, "unknown"); }
}

function showBanner(content, state) {
  banner.replaceChildren(...(content ? [content] : []));
  banner.hidden = !content;
  banner.dataset.state = state || (content ? "stale" : "fresh");
}

function problem(e) {
  if (e instanceof ApiError && e.status === 401) {
    signOut();
    return h("div", { class: "notice error" }, "That key or token was not accepted. ", h("a", { href: "#/" , onclick: () => setTimeout(route) }, "Sign in again"));
  }
  if (e instanceof ApiError && e.status === 403)
    return h("div", { class: "notice" }, "Your role does not include this view. Management information is for admin, PMO and management; team data for admin, PMO and product owners.");
  return h("div", { class: "notice error", text: `Could not load this view: ${e.message}` });
}

function signInPage() {
  for (const a of document.querySelectorAll("#nav a")) a.classList.remove("active");
  const key = h("input", { id: "api-key", type: "password", autocomplete: "off", placeholder: "API key", required: true, "aria-label": "API key" });
  const token = h("input", { id: "oidc-token", type: "password", autocomplete: "off", placeholder: "OIDC access token (optional)", "aria-label": "OIDC access token" });
  main.replaceChildren(h("section", { class: "signin" },
    h("h1", { text: "Sign in" }),
    h("p", { class: "muted", text: "Use the API key your PMO gave you. It is kept in a same-site cookie for this site only." }),
    h("form", { id: "signin", onsubmit: e => { e.preventDefault(); if (key.value) { signInWithKey(key.value.trim()); route(); } } },
      key, h("button", { type: "submit", class: "primary" }, "Sign in")),
    h("details", {}, h("summary", { text: "Signed in with your organisation's identity provider?" }),
      h("form", { onsubmit: e => { e.preventDefault(); if (token.value) { signInWithToken(token.value.trim()); route(); } } },
        token, h("button", { type: "submit" }, "Use token")))));
}

// ---- explain drawer ---------------------------------------------------------------------------------------------

async function explain(path, label) {
  drawer.hidden = false;
  drawer.replaceChildren(h("p", { class: "loading", text: "Loading…" }));
  try {
    const e = await get(path);
    drawer.replaceChildren(
      h("div", { class: "drawer-head" }, h("h2", { text: label }), h("button", { class: "ghost", type: "button", onclick: closeDrawer, "aria-label": "Close" }, "✕")),
      h("p", { class: "definition", text: e.definition }),
      e.value !== null && typeof e.value !== "object" ? h("p", {}, h("strong", { text: "Value: " }), fmt.num(e.value, 3)) : null,
      e.reason ? h("p", { class: "muted", text: e.reason }) : null,
      h("h3", { text: `Computed from (${e.rows.length})` }),
      render(e.rows));
  } catch (err) { drawer.replaceChildren(problem(err)); }
}
function closeDrawer() { drawer.hidden = true; drawer.replaceChildren(); }

// ---- overview ---------------------------------------------------------------------------------------------------

function figureCard(label, f, format, opts = {}) {
  return card(label, f.value === null ? "—" : format(f.value), {
    sub: f.value === null ? f.reason : opts.sub, definition: f.definition, explain: f.explain, onExplain: explain, tone: opts.tone,
  });
}

function useTone(v) { return v === null ? "" : v > 1.1 ? "bad" : v > 1.0 ? "warn" : "good"; }
function sayDoTone(v) { return v === null ? "" : v < 0.7 ? "bad" : v < 0.85 ? "warn" : "good"; }

async function overviewPage(view) {
  const [o, t] = await Promise.all([get("/api/mi/overview"), get("/api/mi/teams")]);
  const f = o.openFindings;
  view.replaceChildren(
    pageHead("Organisation overview", `${o.teams} teams · ${o.activeSprints} active sprints · computed ${new Date(o.computedAt).toLocaleString()}`,
      h("a", { class: "button", href: "/api/mi/teams?format=csv", download: "mi-teams.csv" }, "Teams CSV")),
    h("div", { class: "cards" },
      figureCard("Commitment vs capacity", o.commitmentVsCapacity, fmt.pct, {
        sub: `${fmt.num(o.committedPoints.value)} of ${fmt.num(o.capacityPoints.value)} points`, tone: useTone(o.commitmentVsCapacity.value) }),
      figureCard("Say / do", o.sayDo, fmt.pct, { sub: "last closed sprints, all teams", tone: sayDoTone(o.sayDo.value) }),
      figureCard("Velocity trend", o.velocityTrend, fmt.signed, { sub: "points per sprint, all teams", tone: o.velocityTrend.value < 0 ? "warn" : "" }),
      figureCard("Capacity", o.capacityDays, v => `${fmt.num(v)} days`, { sub: "person-days in active sprints" }),
      card("Open findings", f.total === null ? "—" : String(f.total), {
        sub: f.total === null ? f.reason : `${f.bySeverity.critical || 0} critical · ${f.bySeverity.warning || 0} warning · ${f.bySeverity.info || 0} info`,
        definition: f.definition, explain: f.explain, onExplain: explain, tone: (f.bySeverity?.critical || 0) > 0 ? "bad" : "" }),
      figureCard("Dependencies at risk", o.dependenciesAtRisk, v => String(v), {
        sub: `of ${fmt.num(o.openDependencies.value)} open cross-team`, tone: o.dependenciesAtRisk.value > 0 ? "bad" : "good" }),
      card("Epics late", String(o.epics.late), {
        sub: `${o.epics.atRisk} at risk · ${o.epics.onTrack} on track · ${o.epics.done} done · ${o.epics.noTarget} no target · ${o.epics.unknown} unknown`,
        definition: o.epics.definition, explain: o.epics.explain, onExplain: explain, tone: o.epics.late > 0 ? "bad" : o.epics.atRisk > 0 ? "warn" : "good" })),
    h("div", { class: "grid-2" },
      panel("Velocity across the organisation", chartCanvas("org-velocity", 260), "Sum of every team's n-th last closed sprint (points)."),
      panel("Open findings by rule", f.byRule ? chartCanvas("findings-by-rule", Math.max(260, 26 * Object.keys(f.byRule).length + 60)) : h("p", { class: "empty", text: f.reason || "No findings." }))),
    trendPanel({ panel, charts }),
    panel("Teams", teamsTable(t.teams)));
  barChart("org-velocity", o.velocity.map(p => p.sprint === 0 ? "last sprint" : `${-p.sprint} before`), [
    { label: "Committed", data: o.velocity.map(p => p.committed), backgroundColor: COLORS.committed },
    { label: "Completed", data: o.velocity.map(p => p.completed), backgroundColor: COLORS.completed }]);
  if (f.byRule) {
    const rules = Object.keys(f.byRule);
    barChart("findings-by-rule", rules, ["critical", "warning", "info"].map(s => ({
      label: s, data: rules.map(r => f.byRule[r][s] || 0),
      backgroundColor: { critical: COLORS.risk, warning: COLORS.sayDo, info: COLORS.ok }[s] })), { stacked: true, horizontal: true });
  }
}

function teamsTable(teams) {
  return table([
    { label: "Team", value: t => h("a", { href: `#/teams/${encodeURIComponent(t.id)}`, text: t.name }) },
    { label: "Source", value: t => t.source },
    { label: "Active sprint", value: t => t.activeSprint || "—" },
    { label: "Velocity P50", value: t => fmt.num(t.velocityP50.value), num: true },
    { label: "Trend", value: t => fmt.signed(t.velocityTrend.value), num: true },
    { label: "Say/do", value: t => fmt.pct(t.sayDo.value), num: true, class: t => sayDoTone(t.sayDo.value) },
    { label: "Committed", value: t => fmt.num(t.committedPoints.value), num: true },
    { label: "Capacity (pts)", value: t => fmt.num(t.capacityPoints.value), num: true },
    { label: "Capacity use", value: t => fmt.pct(t.capacityUse.value), num: true, class: t => useTone(t.capacityUse.value) },
    { label: "Open findings", value: t => t.openFindings.value === null ? "—" : String(t.openFindings.value), num: true },
  ], teams, { empty: "No teams are configured." });
}

async function teamsPage(view) {
  const t = await get("/api/mi/teams");
  view.replaceChildren(pageHead("Teams", `${t.teams.length} teams`,
    h("a", { class: "button", href: "/api/mi/teams?format=csv", download: "mi-teams.csv" }, "CSV")), panel("Predictability and capacity", teamsTable(t.teams)));
}

// ---- team -------------------------------------------------------------------------------------------------------

async function teamPage(view, id) {
  const all = await get("/api/mi/teams");
  const t = all.teams.find(x => x.id === id);
  if (!t) { view.replaceChildren(h("div", { class: "notice", text: `No team '${id}'.` })); return; }
  const closed = t.sprints.filter(s => s.state === "closed");
  const items = t.activeSprint ? await get(t.committedPoints.explain).catch(() => null) : null;
  view.replaceChildren(
    pageHead(t.name, `${t.source} (${t.sourceKind})${t.activeSprint ? " · active sprint " + t.activeSprint : ""}`,
      h("a", { class: "button", href: `#/teams/${encodeURIComponent(id)}/planning` }, "Planning pack"),
      h("a", { class: "button", href: `#/teams/${encodeURIComponent(id)}/retrospective` }, "Retrospective pack")),
    h("div", { class: "cards" },
      figureCard("Velocity P50", t.velocityP50, v => fmt.num(v), { sub: "points per sprint (median)" }),
      figureCard("Velocity trend", t.velocityTrend, fmt.signed, { sub: "points per sprint", tone: t.velocityTrend.value < 0 ? "warn" : "" }),
      figureCard("Say / do", t.sayDo, fmt.pct, { tone: sayDoTone(t.sayDo.value) }),
      figureCard("Committed", t.committedPoints, v => fmt.num(v), { sub: "points in the active sprint" }),
      figureCard("Capacity", t.capacityDays, v => `${fmt.num(v)} days`, { sub: t.capacityPoints.value === null ? null : `≈ ${fmt.num(t.capacityPoints.value)} pts` }),
      figureCard("Capacity use", t.capacityUse, fmt.pct, { tone: useTone(t.capacityUse.value) }),
      figureCard("Open findings", t.openFindings, v => String(v), {
        sub: t.openFindingsBySeverity ? `${t.openFindingsBySeverity.critical} critical · ${t.openFindingsBySeverity.warning} warning` : null })),
    h("div", { class: "grid-2" },
      panel("Velocity: committed vs completed", closed.length ? chartCanvas("team-velocity", 280) : h("p", { class: "empty", text: t.velocityP50.reason || "No closed sprints yet." }),
        "Points per closed sprint; the line is say/do (right axis)."),
      panel("Capacity per sprint", t.sprints.some(s => s.capacityDays !== null) ? chartCanvas("team-capacity", 280) : h("p", { class: "empty", text: "No capacity recorded for this team's sprints." }),
        "Available person-days (members × days, days off deducted).")),
    trendPanel({ team: id, panel, charts }),
    panel("Sprints", table([
      { label: "Sprint", value: s => s.name },
      { label: "State", value: s => badge(s.state) },
      { label: "Start", value: s => fmt.date(s.start) }, { label: "End", value: s => fmt.date(s.end) },
      { label: "Committed", value: s => fmt.num(s.committed), num: true }, { label: "Completed", value: s => fmt.num(s.completed), num: true },
      { label: "Say/do", value: s => fmt.pct(s.sayDo), num: true, class: s => sayDoTone(s.sayDo) },
      { label: "Capacity days", value: s => fmt.num(s.capacityDays), num: true },
      { label: "Basis", value: s => h("span", { class: "muted", text: s.basis }) },
    ], [...t.sprints].reverse())),
    items ? panel(`In the active sprint (${items.rows.length})`, table([
      { label: "Key", value: r => link(r.url, r.key) }, { label: "Type", value: r => r.type },
      { label: "Title", value: r => r.title, class: () => "title" }, { label: "Status", value: r => r.status },
      { label: "Points", value: r => fmt.num(r.points), num: true }], items.rows, { empty: "Nothing planned." })) : null);
  if (closed.length) {
    const c = barChart("team-velocity", closed.map(s => s.name), [
      { label: "Committed", data: closed.map(s => s.committed), backgroundColor: COLORS.committed, yAxisID: "y" },
      { label: "Completed", data: closed.map(s => s.completed), backgroundColor: COLORS.completed, yAxisID: "y" },
      { type: "line", label: "Say/do", data: closed.map(s => s.sayDo === null ? null : Math.round(s.sayDo * 100)), borderColor: COLORS.sayDo,
        backgroundColor: COLORS.sayDo, yAxisID: "y1", tension: 0.2 }]);
    c.options.scales.y1 = { position: "right", min: 0, suggestedMax: 120, grid: { drawOnChartArea: false }, ticks: { callback: v => `${v} %` } };
    c.update();
  }
  const withDays = t.sprints.filter(s => s.capacityDays !== null);
  if (withDays.length)
    barChart("team-capacity", withDays.map(s => s.name), [{ label: "Person-days", data: withDays.map(s => s.capacityDays), backgroundColor: "#7aa5ef" }]);
}

async function packPage(view, id, kind) {
  const title = kind === "planning" ? "Planning pack" : "Retrospective pack";
  let pack;
  try { pack = await get(`/api/teams/${encodeURIComponent(id)}/${kind}`); }
  catch (e) {
    view.replaceChildren(pageHead(title, id), e instanceof ApiError && e.status === 404
      ? h("div", { class: "notice", text: kind === "retrospective" ? "No closed sprint to look back on yet." : "No pack for this team." }) : problem(e));
    return;
  }
  view.replaceChildren(pageHead(`${title}`, id, h("a", { class: "button", href: `#/teams/${encodeURIComponent(id)}` }, "Back to team")),
    panel(title, render(pack)));
}

// ---- epics ------------------------------------------------------------------------------------------------------

async function epicsPage(view) {
  const e = await get("/api/mi/epics");
  const filter = h("select", { id: "epic-status", "aria-label": "Status" },
    ["all", "late", "atRisk", "onTrack", "unknown", "noTarget", "done"].map(s => h("option", { value: s, text: s === "all" ? "All statuses" : STATUS[s] })));
  const holder = h("div");
  const order = { late: 0, atRisk: 1, unknown: 2, onTrack: 3, noTarget: 4, done: 5 };
  const draw = () => {
    const rows = e.epics.filter(x => filter.value === "all" || x.status === filter.value).sort((a, b) => order[a.status] - order[b.status]);
    holder.replaceChildren(table([
      { label: "Epic", value: x => link(x.url, x.key), class: () => "nowrap" },
      { label: "Title", value: x => x.title, class: () => "title" },
      { label: "Status", value: x => h("span", { title: x.statusReason }, badge(STATUS[x.status] || x.status, x.status)), class: () => "nowrap" },
      { label: "Target", value: x => fmt.date(x.target), class: () => "nowrap" },
      { label: "P50", value: x => x.forecastP50.value ? fmt.date(x.forecastP50.value) : h("span", { class: "muted", title: x.forecastP50.reason, text: "—" }), class: () => "nowrap" },
      { label: "P85", value: x => x.forecastP85.value ? fmt.date(x.forecastP85.value) : h("span", { class: "muted", title: x.forecastP85.reason, text: "—" }), class: () => "nowrap" },
      { label: "Progress", value: x => progress(x.donePoints, x.totalPoints) },
      { label: "Teams", value: x => h("div", { class: "parts" }, x.teams.map(p => h("span", { class: "part", text: `${p.team} ${fmt.num(p.donePoints)}/${fmt.num(p.totalPoints)}` }))) },
      { label: "", value: x => h("button", { class: "link", type: "button", onclick: () => explain(x.explain, `${x.key}: items`) }, "explain") },
    ], rows, { empty: "No epics match." }));
  };
  filter.addEventListener("change", draw);
  view.replaceChildren(pageHead("Epics across teams and trackers", `${e.epics.length} epics`,
      h("a", { class: "button", href: "/api/mi/epics?format=csv", download: "mi-epics.csv" }, "CSV")),
    panel("Roll-up with forecasts", h("div", {}, h("div", { class: "filters" }, h("label", {}, "Status ", filter)), holder)));
  draw();
}

function progress(done, total) {
  const pct = total > 0 ? Math.round(done / total * 100) : 0;
  return h("div", { class: "progress", title: `${fmt.num(done)} of ${fmt.num(total)} points done` },
    h("div", { class: "bar" }, h("span", { style: `width:${pct}%` })), h("span", { class: "muted", text: `${fmt.num(done)}/${fmt.num(total)} pts` }));
}

// ---- findings ---------------------------------------------------------------------------------------------------

async function findingsPage(view) {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const sel = (name, values, label) => h("select", { name, "aria-label": label },
    [h("option", { value: "", text: `Any ${label.toLowerCase()}` }), ...values.map(v => h("option", { value: v, text: v, selected: params.get(name) === v }))]);
  const team = h("input", { name: "team", placeholder: "Team id", value: params.get("team") || "", "aria-label": "Team" });
  const severity = sel("severity", ["critical", "warning", "info"], "Severity");
  const status = sel("status", ["open", "acknowledged", "suppressed", "resolved"], "Status");
  const rule = h("input", { name: "rule", placeholder: "Rule, e.g. DEP-LATE", value: params.get("rule") || "", "aria-label": "Rule" });
  const apply = e => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const el of [team, rule, severity, status]) if (el.value) q.set(el.name, el.value.trim());
    location.hash = `#/findings?${q}`;
  };
  const q = new URLSearchParams();
  for (const k of ["team", "rule", "severity", "status"]) if (params.get(k)) q.set(k, params.get(k));
  q.set("limit", "200");
  const form = h("form", { class: "filters", onsubmit: apply }, team, rule, severity, status, h("button", { type: "submit", class: "primary" }, "Filter"));
  let body;
  try {
    const page = await get(`/api/findings?${q}`);
    body = table([
      { label: "Severity", value: f => badge(f.severity) },
      { label: "Rule", value: f => h("code", { text: f.rule }) },
      { label: "Team", value: f => f.team || "—" },
      { label: "Title", value: f => f.title, class: () => "title" },
      { label: "Items", value: f => h("div", { class: "parts" }, (f.items || []).slice(0, 4).map(i => link(i.url, i.key))) },
      { label: "Action", value: f => f.action },
      { label: "Status", value: f => f.status },
      { label: "Last seen", value: f => fmt.date(f.lastSeen) },
    ], page.items, { empty: "No findings match." });
  } catch (e) {
    if (!(e instanceof ApiError && (e.status === 403 || e.status === 404))) throw e;
    const o = await get("/api/mi/overview");
    body = h("div", {}, h("div", { class: "notice", text: "The findings list is team data (admin, PMO, product owners). Counts by rule from the management information:" }),
      o.openFindings.byRule ? table([{ label: "Rule", value: r => h("code", { text: r[0] }) },
        ...["critical", "warning", "info"].map(s => ({ label: s, value: r => String(r[1][s] || 0), num: true }))], Object.entries(o.openFindings.byRule))
        : h("p", { class: "empty", text: o.openFindings.reason }));
  }
  view.replaceChildren(pageHead("Findings", "Cross-team dependencies, backlog drift and capacity risks, with evidence"), panel("Filter", form), panel("Findings", body));
}

// ---- bits -------------------------------------------------------------------------------------------------------

function pageHead(title, sub, ...actions) {
  return h("div", { class: "page-head" }, h("div", {}, h("h1", { text: title }), sub ? h("p", { class: "muted", text: sub }) : null),
    h("div", { class: "actions" }, actions));
}

function panel(title, content, note) {
  return h("section", { class: "panel" }, h("h2", { text: title }), note ? h("p", { class: "muted small", text: note }) : null, content);
}

function chartCanvas(id, height) {
  return h("div", { class: "chart", style: `height:${height}px` }, h("canvas", { id, role: "img", "aria-label": id.replace(/-/g, " ") }));
}

function barChart(id, labels, datasets, { stacked = false, horizontal = false } = {}) {
  const c = new Chart(document.getElementById(id), {
    type: "bar",
    data: { labels, datasets },
    options: {
      maintainAspectRatio: false, indexAxis: horizontal ? "y" : "x",
      scales: {
        x: { stacked, beginAtZero: true, grid: { display: horizontal }, ticks: horizontal ? { precision: 0 } : {} },
        y: { stacked, beginAtZero: true, grid: { display: !horizontal }, ticks: horizontal ? { autoSkip: false } : { precision: 0 } },
      },
      plugins: { legend: { labels: { boxWidth: 12 } } },
    },
  });
  charts.push(c);
  return c;
}
