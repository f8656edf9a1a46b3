// The "Value & cost" page: WSJF against rank per backlog (scatter; inversions highlighted) and the table of epics and features, from
// GET /api/mi/value (admin, PMO, management; product owners see their own teams). The markup is the #value-page template in index.html.
import { get } from "./api.js";
import { h, fmt, table, badge, link } from "./ui.js";

const TYPE = { epic: "epics", feature: "features" };

/** Renders the page into main; track(chart) lets the router destroy the chart, explain(path, label) opens the drawer. */
export async function valuePage(main, { track, explain }) {
  const v = await get("/api/mi/value");
  const page = document.getElementById("value-page").content.cloneNode(true);
  const items = v.items;
  const inversions = items.filter(x => x.rankedTooLow).length;
  page.querySelector("[data-field=summary]").textContent = v.reason
    ? v.reason
    : `${items.length} epics and features, ${items.filter(x => x.wsjf !== null).length} with WSJF, ${inversions} ranked too low`;
  page.querySelector("[data-field=definition]").textContent = v.definition;

  const select = page.querySelector("#value-backlog");
  const backlogs = [...new Set(items.map(x => `${x.team}|${x.type}`))].sort();
  select.append(h("option", { value: "", text: "All backlogs" }),
    ...backlogs.map(b => { const [team, type] = b.split("|"); return h("option", { value: b, text: `${team} · ${TYPE[type] || type}` }); }));
  const tableHolder = page.querySelector("#value-table");
  main.replaceChildren(page);

  let chart = null;
  const draw = () => {
    const rows = items.filter(x => !select.value || `${x.team}|${x.type}` === select.value);
    if (chart) chart.destroy();
    chart = scatter(rows);
    if (chart) track(chart);
    tableHolder.replaceChildren(table([
      { label: "Team", value: x => x.team, class: () => "nowrap" },
      { label: "Item", value: x => link(x.url, x.key), class: () => "nowrap" },
      { label: "Title", value: x => x.title, class: () => "title" },
      { label: "Rank", value: x => String(x.rank), num: true },
      { label: "WSJF", value: x => x.wsjf === null ? h("span", { class: "muted", text: "—" }) : fmt.num(x.wsjf, 2), num: true },
      { label: "WSJF rank", value: x => x.wsjfRank === null ? "—" : String(x.wsjfRank), num: true },
      { label: "BV", value: x => num(x.businessValue), num: true },
      { label: "TC", value: x => num(x.timeCriticality), num: true },
      { label: "RR|OE", value: x => num(x.riskReduction), num: true },
      { label: "Job size", value: x => x.jobSize === null ? "—" : `${fmt.num(x.jobSize)}${x.jobSizeFrom === "remainingPoints" ? " pts" : ""}`, num: true },
      { label: "Order", value: x => x.rankedTooLow ? badge(`below ${x.inversionWith.join(", ")}`, "late")
          : x.rankedTooHigh ? badge(`above ${x.inversionWith.join(", ")}`, "atRisk") : "" },
      { label: "", value: x => h("button", { class: "link", type: "button", onclick: () => explain(x.explain, `${x.key}: WSJF`) }, "explain") },
    ], rows, { empty: "No epics or features: no analysis yet, or none in your teams' backlogs." }));
  };
  select.addEventListener("change", draw);
  draw();
}

function num(v) { return v === null || v === undefined ? "—" : fmt.num(v, 2); }

/** Rank on x, WSJF on y: items in order in blue, items ranked too low (PRIO-INVERSION) in red and larger. */
function scatter(rows) {
  if (!window.Chart) return null;
  const point = x => ({ x: x.rank, y: x.wsjf, key: x.key, team: x.team });
  const valued = rows.filter(x => x.wsjf !== null);
  return new Chart(document.getElementById("value-chart"), {
    type: "scatter",
    data: {
      datasets: [
        { label: "in order", data: valued.filter(x => !x.rankedTooLow).map(point), backgroundColor: "#2f6fde", pointRadius: 4 },
        { label: "ranked too low", data: valued.filter(x => x.rankedTooLow).map(point), backgroundColor: "#d23f3f", pointRadius: 7, pointStyle: "triangle" },
      ],
    },
    options: {
      maintainAspectRatio: false,
      scales: {
        x: { min: 0, max: Math.max(1, ...valued.map(x => x.rank)) + 1, title: { display: true, text: "rank (1 = top of the backlog)" }, ticks: { precision: 0 } },
        y: { beginAtZero: true, grace: "10%", title: { display: true, text: "WSJF" } },
      },
      plugins: { tooltip: { callbacks: { label: c => `${c.raw.key} (${c.raw.team}): rank ${c.raw.x}, WSJF ${fmt.num(c.raw.y, 2)}` } } },
    },
  });
}
