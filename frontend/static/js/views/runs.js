/**
 * The Runs view: the server's run list with name, model, key hyperparameters,
 * status and final metrics; open, export (ONNX, PyTorch, playground zip:
 * exportMenu.js) and delete a run; tick up to MAX_COMPARE runs to compare
 * their loss curves, each named in the legend.
 */

import { api } from "../api.js";
import { el, fitCanvas } from "../dom.js";
import { drawLineChart } from "../render/lineChart.js";
import { statusText, fmtPct, fmtNum } from "../format.js";
import { COLORS } from "../render/theme.js";
import { mayChange } from "../session.js";
import { architecture, hyperparameters, runLabel } from "../runInfo.js";

const MAX_COMPARE = 6;
const CONFIRM_SECONDS = 5; // how long a clicked Delete waits for its second click
import { exportMenu, closeMenusOutside } from "./exportMenu.js";

const $ = (id) => document.getElementById(id);

export function mountRuns(ctx) {
  const { store, report } = ctx;
  let compare = []; // run ids, at most MAX_COMPARE, oldest ticked first
  let curves = {}; // run id -> [[step, loss]]
  // Runs whose Delete was clicked once and now reads "Confirm" (id -> the timer that
  // disarms it). Kept here, not on the button: the table re-renders on every refresh, and
  // a new button must not forget the first click. A click much later is not a confirmation.
  const armed = new Map();
  function disarm(id) {
    clearTimeout(armed.get(id));
    armed.delete(id);
  }

  async function refresh() {
    try {
      store.setState({ runs: await api.runs() });
    } catch (err) {
      report(err);
    }
  }

  async function drawCompare() {
    const card = $("compare-card");
    card.hidden = compare.length < 2;
    if (compare.length < 2) return;
    try {
      for (const id of compare) {
        if (!curves[id]) {
          const m = await api.metrics(id, "step", 500);
          curves[id] = m.points.map((p) => [p.step, p.loss]);
        }
      }
    } catch (err) {
      report(err);
      return;
    }
    const runs = compare.map((id) => store.get().runs.find((r) => r.id === id) || { id });
    const color = (i) => COLORS.series[i % COLORS.series.length];
    // A run stopped before its first step has no curve: name it so the chart does not look broken.
    $("compare-names").textContent = runs.map((r) => (curves[r.id].length ? runLabel(r) : `${runLabel(r)} (no steps: nothing to draw)`)).join(" vs ");
    $("compare-legend").replaceChildren(
      ...runs.map((r, i) =>
        el("li", { "data-run": r.id },
          el("span", { class: "swatch", style: `background:${color(i)}` }),
          el("strong", { text: runLabel(r) }), " ",
          el("small", { text: `${r.dataset || ""} \u00b7 ${architecture(r.spec)} \u00b7 ${hyperparameters(r.config)}` })),
      ),
    );
    const f = fitCanvas($("chart-compare"));
    if (f) {
      drawLineChart(f.ctx, { series: runs.map((r, i) => ({ label: runLabel(r), color: color(i), points: curves[r.id] })) }, { ...f, yMin: 0, xLabel: "step" });
    }
  }

  function row(r) {
    const final = r.final?.test || {};
    const checked = compare.includes(r.id);
    const mine = mayChange(store.get().session, r);
    const del = el("button", { type: "button", class: "danger", text: armed.has(r.id) ? "Confirm" : "Delete", "aria-label": `Delete run ${r.id}` });
    del.addEventListener("click", async () => {
      if (!armed.has(r.id)) {
        armed.set(r.id, setTimeout(() => {
          disarm(r.id);
          const shown = document.querySelector(`[aria-label="Delete run ${r.id}"]`);
          if (shown) shown.textContent = "Delete";
        }, CONFIRM_SECONDS * 1000));
        del.textContent = "Confirm";
        return;
      }
      disarm(r.id);
      try {
        await api.deleteRun(r.id);
        compare = compare.filter((id) => id !== r.id);
        // The open run goes at once: its socket would otherwise retry until the server says 4404.
        if (store.get().run?.id === r.id) ctx.closeRun();
        if (store.get().target?.kind === "run" && store.get().target.id === r.id) store.setState({ target: null });
        refresh();
      } catch (err) {
        report(err);
      }
    });
    return el(
      "tr",
      { "data-run": r.id },
      el("td", {}, el("input", {
        type: "checkbox",
        checked,
        "aria-label": `Compare run ${r.id}`,
        onchange: (e) => {
          compare = e.target.checked ? [...compare.filter((id) => id !== r.id), r.id].slice(-MAX_COMPARE) : compare.filter((id) => id !== r.id);
          renderTable(store.get());
          // The chart sits below a possibly long table: bring it into view.
          drawCompare().then(() => compare.length >= 2 && $("compare-card").scrollIntoView({ block: "nearest" }));
        },
      })),
      el("td", {}, el("strong", { text: r.name || r.id }), r.name && r.name !== r.id ? el("small", { text: ` ${r.id}` }) : null, el("br"), el("small", { text: new Date(r.created_at * 1000).toLocaleString() }),
        store.get().session?.auth === "tokens" && r.owner_name ? el("small", { class: "owner", text: ` \u00b7 by ${r.owner_name}` }) : null),
      el("td", { text: r.dataset }),
      el("td", { class: "model" }, architecture(r.spec), el("span", { text: hyperparameters(r.config) })),
      el("td", {}, el("span", { class: `pill ${r.status}`, text: statusText({ ...r, position: r.queue_position }) })),
      el("td", { text: String(r.progress?.step ?? "") }),
      el("td", { text: fmtPct(final.accuracy) }),
      el("td", { text: fmtNum(final.loss) }),
      el(
        "td",
        { class: "actions" },
        el("div", {}, el("button", { type: "button", text: "Open", "aria-label": `Open run ${r.id}`, onclick: () => ctx.openRun(r.id, { tab: "train" }) }),
        // Someone else's run (classroom mode) can be opened and watched, not exported or deleted.
        mine ? exportMenu(r, report) : null,
        mine ? del : null),
      ),
    );
  }

  function renderTable(s) {
    $("runs-body").replaceChildren(
      ...(s.runs.length ? s.runs.map(row) : [el("tr", {}, el("td", { colspan: "9", class: "hint", text: "No runs yet." }))]),
    );
  }

  $("runs-refresh").addEventListener("click", refresh);
  closeMenusOutside($("runs-body"));
  store.subscribe((s, prev) => {
    if (s.runs !== prev.runs) renderTable(s);
    if (s.tab === "runs" && prev.tab !== "runs") refresh();
    if (s.run?.status !== prev.run?.status && s.tab === "runs") refresh();
  });
  refresh();
}
