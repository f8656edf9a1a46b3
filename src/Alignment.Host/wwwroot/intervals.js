// The "Intervals" page, from GET /api/mi/intervals (docs/figures.md, "Planning intervals"): for one planning interval, the organisation's
// predictability, planned against delivered points per team (a chart and the same numbers as a table), and the epics and features that
// slipped with the reasons. Tracker text goes in as text (ui.js's h()); the browser test compares what is shown with the API.
import { get } from "./api.js";
import { h, fmt, table, badge, card, link } from "./ui.js";

const PHASE = { notStarted: "not started", running: "running", finished: "finished" };
const REASON = {
  blockedByTeam: "blocked by another team", carriedOver: "carried over", unplannedWork: "unplanned work", removed: "removed", unexplained: "unexplained",
};
const COLORS = { planned: "#9fb3d1", delivered: "#2459c7" };

/** Renders the page into main; track(chart) lets the router destroy the chart; pageHead/panel/explain are the dashboard's. */
export async function intervalsPage(main, { track, explain, pageHead, panel }) {
  const doc = await get("/api/mi/intervals");
  if (!doc.intervals.length) {
    main.replaceChildren(pageHead("Planning intervals", "Planned against delivered per team"),
      h("div", { class: "notice", text: doc.reason || "No planning intervals." }));
    return;
  }
  const select = h("select", { id: "interval-select", "aria-label": "Interval" },
    doc.intervals.map(i => h("option", { value: i.id, text: `${i.id} (${fmt.date(i.start)} – ${fmt.date(i.end)}, ${PHASE[i.phase]})` })));
  select.value = defaultInterval(doc.intervals).id;
  const body = h("div", { id: "interval-body" });
  let chart = null;
  const draw = () => {
    if (chart) chart.destroy();
    const iv = doc.intervals.find(i => i.id === select.value);
    body.replaceChildren(...intervalView(iv, { panel, explain }));
    chart = plannedChart(iv.teams.filter(t => t.phase !== "notStarted"));
    if (chart) track(chart);
  };
  select.addEventListener("change", draw);
  main.replaceChildren(
    pageHead("Planning intervals", "Predictability: delivered ÷ planned epics and features, points and business value",
      h("a", { class: "button", href: "/api/mi/intervals?format=csv", download: "mi-intervals.csv" }, "CSV")),
    h("div", { class: "filters" }, h("label", {}, "Interval ", select)),
    body,
    h("p", { class: "muted small", text: doc.definition }));
  draw();
}

/** The latest finished interval, else the running one, else the first. */
function defaultInterval(intervals) {
  const finished = intervals.filter(i => i.phase === "finished");
  return finished[finished.length - 1] || intervals.find(i => i.phase === "running") || intervals[0];
}

function tone(v) { return v === null ? "" : v < 0.6 ? "bad" : v < 0.8 ? "warn" : "good"; }

function intervalView(iv, { panel, explain }) {
  const o = iv.organisation;
  const soFar = iv.phase === "running" ? " so far" : "";
  const figure = (label, f, format, sub) => card(label, f.value === null ? "—" : format(f.value), {
    sub: f.value === null ? f.reason : sub, definition: f.definition, explain: f.explain, onExplain: (path, l) => explain(path, l), tone: tone(f.value) });
  const reasons = Object.entries(o.slipReasons || {});
  return [
    h("div", { class: "cards", id: "interval-cards" },
      figure("Predictability (count)", o.predictabilityCount, fmt.pct, `${o.deliveredCount} of ${o.plannedCount} epics and features${soFar}`),
      figure("Predictability (points)", o.predictabilityPoints, fmt.pct, `${fmt.num(o.deliveredPoints)} of ${fmt.num(o.plannedPoints)} points${soFar}`),
      figure("Predictability (value)", o.predictabilityValue, fmt.pct, `${fmt.num(o.deliveredValue)} of ${fmt.num(o.plannedValue)} business value`),
      card("Interval velocity", o.velocity.value === null ? "—" : fmt.num(o.velocity.value), { sub: o.velocity.value === null ? o.velocity.reason : `points completed${soFar}`, definition: o.velocity.definition }),
      card("Scope change", o.scopeAddedPoints.value === null ? "—" : `+${fmt.num(o.scopeAddedPoints.value)} / −${fmt.num(o.scopeRemovedPoints.value)}`, {
        sub: o.scopeAddedPoints.value === null ? o.scopeAddedPoints.reason : `points added (${o.addedCount} items) / removed (${o.removedCount})`,
        definition: `${o.scopeAddedPoints.definition} ${o.scopeRemovedPoints.definition}` }),
      card("Not delivered", iv.phase === "notStarted" ? "—" : String(o.plannedCount - o.deliveredCount), {
        sub: iv.phase === "running" ? "epics and features not done so far"
          : reasons.length ? `slips by reason: ${reasons.map(([r, n]) => `${n} ${REASON[r] || r}`).join(" · ")}` : "epics and features" })),
    panel("Planned against delivered per team", h("div", { class: "chart", style: "height:300px" },
      h("canvas", { id: "interval-chart", role: "img", "aria-label": "Planned and delivered points per team" })),
      iv.phase === "running" ? "Planned points at each team's plan moment and the part of them done so far." : "Planned points at each team's plan moment and the part of them done when its last sprint of the interval finished."),
    panel("Teams", teamsTable(iv.teams, explain)),
    panel("What slipped and why", slipsTable(iv.teams), "Each epic or feature a team planned and did not deliver, its undelivered items and why each slipped."),
  ];
}

function teamsTable(teams, explain) {
  return h("div", { id: "interval-teams" }, table([
    { label: "Team", value: t => t.name, class: () => "nowrap" },
    { label: "Phase", value: t => badge(PHASE[t.phase], t.phase === "finished" ? "done" : t.phase === "running" ? "active" : "info") },
    { label: "Plan", value: t => t.basis ? h("span", { class: "muted", title: t.planAt ? `recorded as of ${t.planAt}` : null, text: t.basis }) : "—" },
    { label: "Planned", value: t => `${t.figures.plannedCount} · ${fmt.num(t.figures.plannedPoints)} pts`, num: true },
    { label: "Delivered", value: t => `${t.figures.deliveredCount} · ${fmt.num(t.figures.deliveredPoints)} pts`, num: true },
    { label: "Count", value: t => fmt.pct(t.figures.predictabilityCount.value), num: true, class: t => tone(t.figures.predictabilityCount.value) },
    { label: "Points", value: t => fmt.pct(t.figures.predictabilityPoints.value), num: true, class: t => tone(t.figures.predictabilityPoints.value) },
    { label: "Value", value: t => fmt.pct(t.figures.predictabilityValue.value), num: true },
    { label: "Velocity", value: t => fmt.num(t.figures.velocity.value), num: true },
    { label: "Added", value: t => fmt.num(t.figures.scopeAddedPoints.value), num: true },
    { label: "Removed", value: t => fmt.num(t.figures.scopeRemovedPoints.value), num: true },
    { label: "Forecast P85", value: t => !t.forecast ? "—" : t.forecast.p85 ? h("span", {}, fmt.date(t.forecast.p85), t.forecast.atRisk ? " " : null,
        t.forecast.atRisk ? badge("at risk", "atRisk") : null) : h("span", { class: "muted", title: t.forecast.reason || "", text: "—" }), class: () => "nowrap" },
    { label: "", value: t => t.phase === "notStarted" ? "" : h("button", { class: "link", type: "button",
        onclick: () => explain(t.figures.predictabilityPoints.explain, `${t.name}: planned and delivered items`) }, "items") },
  ], teams, { empty: "No teams." }));
}

function slipsTable(teams) {
  const rows = teams.flatMap(t => t.slipped.map(s => ({ team: t.name, ...s })));
  return h("div", { id: "interval-slips" }, table([
    { label: "Team", value: s => s.team, class: () => "nowrap" },
    { label: "Epic / feature", value: s => s.url ? link(s.url, s.key) : s.key, class: () => "nowrap" },
    { label: "Title", value: s => s.title, class: () => "title" },
    { label: "Planned", value: s => fmt.num(s.plannedPoints), num: true },
    { label: "Delivered", value: s => fmt.num(s.deliveredPoints), num: true },
    { label: "Reasons", value: s => h("div", { class: "parts" }, s.reasons.map(r => badge(REASON[r] || r, r === "blockedByTeam" ? "late" : "atRisk"))) },
    { label: "Items not delivered", value: s => h("div", { class: "parts" }, s.items.map(i => h("span", { class: "part", title: itemTitle(i) },
        i.url ? link(i.url, i.key) : i.key, ` ${i.reasons.map(r => REASON[r] || r).join(", ")}`, i.blockers.length ? ` (waits for ${i.blockers.join(", ")})` : ""))) },
  ], rows, { empty: "Nothing slipped, or the interval has not ended for any team yet." }));
}

function itemTitle(i) { return `${i.title} · ${fmt.num(i.plannedPoints)} planned points`; }

function plannedChart(teams) {
  if (!window.Chart || !teams.length) return null;
  return new Chart(document.getElementById("interval-chart"), {
    type: "bar",
    data: {
      labels: teams.map(t => t.name),
      datasets: [
        { label: "Planned points", data: teams.map(t => t.figures.plannedPoints), backgroundColor: COLORS.planned },
        { label: "Delivered points", data: teams.map(t => t.figures.deliveredPoints), backgroundColor: COLORS.delivered },
      ],
    },
    options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }, plugins: { legend: { labels: { boxWidth: 12 } } } },
  });
}
