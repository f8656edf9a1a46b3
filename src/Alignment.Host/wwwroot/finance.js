// The spend panel of the "Value & cost" page (GET /api/mi/finance, docs/figures.md "Cost"): spend per month per team as a
// stacked bar chart (vendored Chart.js) and each epic's forecast cost at completion against its budget. It renders into any
// <section id="spend-panel"> that appears in the page (the page is rebuilt on every route), once per element.
// Tracker text (epic titles) goes in as text only (ui.js h()).
import { get } from "./api.js";
import { h, fmt, table, badge } from "./ui.js";

const STATUS = { overBudget: "over budget", atRisk: "at risk", withinBudget: "within budget", noBudget: "no budget", unknown: "unknown" };
const TONE = { overBudget: "late", atRisk: "atRisk", withinBudget: "onTrack", noBudget: "info", unknown: "info" };
const ORDER = { overBudget: 0, atRisk: 1, unknown: 2, withinBudget: 3, noBudget: 4 };
const PALETTE = ["#2f6fde", "#e08a1e", "#3a9d5d", "#8e5bd8", "#d23f3f", "#1aa3b3", "#b7892c", "#6b7a90", "#c2577a", "#5b8f29"];
let chart = null;

function money(v, currency) {
  return v === null || v === undefined ? "—" : `${Number(v).toLocaleString("en", { maximumFractionDigits: 0 })} ${currency}`;
}

/** Months on the x axis, one stacked dataset per team (priced sprints only; unpriced ones are listed under the chart). */
function spendChart(canvas, doc) {
  const months = [...new Set(doc.teams.flatMap(t => t.months.map(m => m.period)))].sort();
  const datasets = doc.teams.map((t, i) => {
    const byMonth = Object.fromEntries(t.months.map(m => [m.period, m.spend]));
    return { label: t.name, data: months.map(m => byMonth[m] ?? 0), backgroundColor: PALETTE[i % PALETTE.length], stack: "spend" };
  });
  if (chart) chart.destroy();
  chart = new Chart(canvas, {
    type: "bar",
    data: { labels: months, datasets },
    options: {
      maintainAspectRatio: false, animation: false,
      scales: { x: { stacked: true, grid: { display: false } }, y: { stacked: true, beginAtZero: true, title: { display: true, text: doc.currency } } },
      plugins: {
        legend: { position: "bottom", labels: { boxWidth: 12 } },
        tooltip: { callbacks: { label: c => `${c.dataset.label}: ${money(c.parsed.y, doc.currency)}` } },
      },
    },
  });
}

function budgetTable(doc) {
  const epics = doc.epics.filter(e => e.budget !== null || e.costToDate > 0)
    .sort((a, b) => (ORDER[a.budgetStatus] - ORDER[b.budgetStatus]) || (b.costToDate - a.costToDate));
  return table([
    { label: "Epic", value: e => h("a", { href: e.url, target: "_blank", rel: "noopener", text: e.key }) },
    { label: "Title", value: e => e.title },
    { label: "Team", value: e => e.team || "—" },
    { label: "Budget", num: true, value: e => money(e.budget, doc.currency) },
    { label: "Cost to date", num: true, value: e => money(e.costToDate, doc.currency) },
    { label: "At completion P50", num: true, value: e => money(e.atCompletionP50, doc.currency) },
    { label: "At completion P85", num: true, value: e => money(e.atCompletionP85, doc.currency) },
    { label: "Status", value: e => h("span", { title: e.reason || "" }, badge(STATUS[e.budgetStatus] || e.budgetStatus, TONE[e.budgetStatus])) },
  ], epics, { empty: "No epic has a budget or a cost yet.", caption: "Forecast cost at completion vs budget" });
}

async function renderSpend(panel) {
  panel.dataset.rendered = "1";
  panel.classList.add("panel");
  panel.replaceChildren(h("h2", { text: "Spend" }), h("p", { class: "loading", text: "Loading costs…" }));
  let doc;
  try {
    doc = await get("/api/mi/finance");
  } catch (e) {
    panel.dataset.rendered = "failed"; // tried again when the page around it changes (e.g. after signing in)
    panel.replaceChildren(h("h2", { text: "Spend" }), h("p", { class: "empty", text: `Costs are not available: ${e.message}` }));
    return;
  }
  const parts = [h("h2", { text: `Spend (${doc.currency})` })];
  if (doc.reason) parts.push(h("p", { class: "muted small", text: doc.reason }));
  if (doc.teams.length) {
    parts.push(h("p", { class: "muted small", title: doc.definition.sprintCost, text: doc.definition.spend }));
    const canvas = h("canvas", { id: "spend-chart", role: "img", "aria-label": "spend per month per team" });
    parts.push(h("div", { class: "chart", style: "height:280px" }, canvas));
    const unpriced = doc.teams.flatMap(t => t.months.filter(m => m.unpricedSprints > 0).map(m => `${t.name} ${m.period}: ${m.unpricedSprints}`));
    if (unpriced.length) parts.push(h("p", { class: "muted small", text: `Sprints without a cost (not in the bars): ${unpriced.join(", ")}` }));
  } else if (doc.restricted) {
    parts.push(h("p", { class: "muted small", text: "Team spend and rates are for admin, PMO and management; the budget status of your teams' epics is below." }));
  }
  parts.push(h("p", { class: "muted small", title: doc.definition.costAtCompletion, text: doc.definition.budgetStatus }));
  parts.push(budgetTable(doc));
  panel.replaceChildren(...parts);
  if (doc.teams.length && window.Chart) spendChart(panel.querySelector("#spend-chart"), doc);
}

function scan(retry) {
  const panel = document.getElementById("spend-panel");
  if (!panel && chart) { chart.destroy(); chart = null; }
  if (panel && (!panel.dataset.rendered || (retry && panel.dataset.rendered === "failed"))) renderSpend(panel);
}

// Changes inside the panel (its own rendering, the chart) do not count: only the page around it.
const outside = r => !(r.target instanceof Element && r.target.closest("#spend-panel"));
new MutationObserver(records => { if (records.some(outside)) scan(true); }).observe(document.body, { childList: true, subtree: true });
scan(false);
