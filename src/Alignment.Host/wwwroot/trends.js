// The trend panel on the overview and on a team's page, from GET /api/mi/history (docs/figures.md, "History"): one figure at a time,
// weekly over 13, 26 or 52 weeks, back-filled points drawn hollow, and a table of the same points for screen readers and copying.
// The chart is the history API's answer as is: the browser test compares it with the API.
import { get } from "./api.js";
import { h, fmt, table } from "./ui.js";

export const TREND_FIGURES = [
  { id: "sayDo", label: "Say / do", format: fmt.pct, percent: true },
  { id: "velocityP50", label: "Velocity P50", format: v => fmt.num(v) },
  { id: "commitmentVsCapacity", label: "Commitment vs capacity", format: fmt.pct, percent: true },
  { id: "openCriticalFindings", label: "Open critical findings", format: v => fmt.num(v, 0) },
  { id: "dependenciesAtRisk", label: "Dependencies at risk", format: v => fmt.num(v, 0) },
  { id: "epicsLate", label: "Epics late", format: v => fmt.num(v, 0) },
];
const WEEKS = [13, 26, 52];

/** A panel element for the organisation (team null) or a team; panel(title, content, note) is the dashboard's. */
export function trendPanel({ team = null, panel, charts }) {
  const figure = h("select", { id: "trend-figure", "aria-label": "Figure" }, TREND_FIGURES.map(f => h("option", { value: f.id, text: f.label })));
  const weeks = h("select", { id: "trend-weeks", "aria-label": "Weeks" }, WEEKS.map(w => h("option", { value: String(w), text: `${w} weeks` })));
  weeks.value = "26";
  const body = h("div", { id: "trend-body" });
  const note = h("p", { class: "muted small", id: "trend-note" });
  let chart = null;

  async function draw() {
    const f = TREND_FIGURES.find(x => x.id === figure.value);
    const to = new Date();
    const from = new Date(to.getTime() - Number(weeks.value) * 7 * 86400000);
    const q = new URLSearchParams({ figure: f.id, interval: "week", from: day(from), to: day(to) });
    if (team) q.set("team", team);
    const path = `/api/mi/history?${q}`;
    let series;
    try { series = await get(path); }
    catch (e) { body.replaceChildren(h("p", { class: "empty", text: `The history could not be read: ${e.message || e}` })); return; }
    note.textContent = `${series.definition} ${series.note}`;
    if (chart) { charts.splice(charts.indexOf(chart) >>> 0, 1); chart.destroy(); chart = null; }
    if (!series.points.length) { body.replaceChildren(h("p", { class: "empty", text: "No history for this figure in this period yet." })); return; }
    const canvas = h("canvas", { id: "trend-chart", role: "img", "aria-label": `${f.label} per week`, "data-source": path });
    body.replaceChildren(h("div", { class: "chart", style: "height:260px" }, canvas),
      h("details", {}, h("summary", { text: "Points" }), table([
        { label: "Week of", value: p => p.at },
        { label: f.label, value: p => f.format(p.value), num: true },
        { label: "Basis", value: p => h("span", { class: "muted", text: p.basis }) },
      ], [...series.points].reverse())));
    const values = series.points.map(p => p.value === null ? null : f.percent ? Math.round(p.value * 1000) / 10 : p.value);
    chart = new Chart(canvas, {
      type: "line",
      data: {
        labels: series.points.map(p => p.at),
        datasets: [{
          label: f.label + (f.percent ? " (%)" : ""), data: values, borderColor: "#2f6fde", backgroundColor: "#2f6fde", tension: 0.2, spanGaps: true,
          pointStyle: series.points.map(p => p.basis === "backfilled" ? "circle" : "rectRot"),
          pointBackgroundColor: series.points.map(p => p.basis === "backfilled" ? "#ffffff" : "#2f6fde"),
        }],
      },
      options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true } }, plugins: { legend: { display: false } } },
    });
    charts.push(chart);
  }
  figure.addEventListener("change", draw);
  weeks.addEventListener("change", draw);
  const el = panel(team ? "Trend" : "Trends", h("div", {},
    h("div", { class: "filters" }, h("label", {}, "Figure ", figure), h("label", {}, "Period ", weeks)), body, note),
    "Weekly: each week's last daily value; hollow points are back-filled from closed sprints.");
  el.id = "trends";
  draw();
  return el;
}

function day(d) { return d.toISOString().slice(0, 10); }
