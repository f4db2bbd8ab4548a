/**
 * The teacher's class page (/class): every run in the room as a live tile, the
 * leaderboard, the limits, and presenter controls. Refreshes every 1.5 s.
 *
 * Opened with the teacher link (/class#token=...), it trades the token for the
 * session cookie once and takes the token out of the address bar.
 */

import { api } from "./api.js";
import { el, fitCanvas } from "./dom.js";
import { fmtNum, fmtPct, statusText } from "./format.js";
import { drawSparkline } from "./render/sparkline.js";
import { isActive, setVocabularies } from "./vocab.js";

const $ = (id) => document.getElementById(id);
const REFRESH_MS = 1500;

const boot = (() => {
  try {
    return JSON.parse($("bootstrap").textContent) || {};
  } catch {
    return {};
  }
})();
setVocabularies(boot.vocabularies);

function say(text, kind = "error") {
  $("banner").hidden = !text;
  $("banner").className = `banner ${kind}`;
  $("banner-text").textContent = text || "";
}
$("banner-close").addEventListener("click", () => say(""));

async function claimTeacherLink() {
  const token = new URLSearchParams(location.hash.slice(1)).get("token");
  if (!token) return false;
  history.replaceState(null, "", location.pathname); // the token leaves the address bar at once
  await api.login(token);
  location.reload();
  return true;
}

function pinLabel(pin) {
  if (!pin) return "Not presenting.";
  return `Presenting the ${pin.kind} ${pin.target}.`;
}

function tileNode(t, pin, onAction) {
  const canvas = el("canvas", { "aria-label": `Loss of run ${t.id}`, role: "img" });
  const node = el(
    "article",
    { class: `tile${pin?.kind === "run" && pin.target === t.id ? " pinned" : ""}`, "data-run": t.id },
    el("header", {}, el("span", { class: "owner", text: t.owner_name || "?" }), el("span", { class: `pill ${t.status}`, text: statusText(t) })),
    el("div", { class: "summary", title: t.summary, text: `${t.name} \u00b7 ${t.dataset} \u00b7 ${t.summary}` }),
    canvas,
    el("div", { class: "numbers" },
      el("span", { text: `step ${t.step}` }),
      el("span", { text: `loss ${fmtNum(t.loss)}` }),
      el("span", { text: t.test_accuracy != null ? `test ${fmtPct(t.test_accuracy)}` : `acc ${fmtPct(t.accuracy)}` })),
    el("div", { class: "actions" },
      el("button", { type: "button", text: "Show", title: "Show this run on every student's page", onclick: () => onAction("show", t) }),
      el("a", { class: "button", href: `/?run=${encodeURIComponent(t.id)}&tab=train`, text: "Open" }),
      isActive(t.status) ? el("button", { type: "button", text: "Stop", onclick: () => onAction("stop", t) }) : null,
      el("button", { type: "button", class: "danger", text: "Delete", onclick: () => onAction("delete", t) })),
  );
  requestAnimationFrame(() => {
    const f = fitCanvas(canvas);
    if (f) drawSparkline(f.ctx, t.trace || [], f);
  });
  return node;
}

function render(view) {
  const pin = view.pin?.pin;
  $("pin-text").textContent = pinLabel(pin);
  const { active = 0, queued = 0 } = view.counts || {};
  $("class-status").textContent = `${active} training \u00b7 ${queued} waiting \u00b7 ${view.tiles.length} runs`;
  $("tiles-count").textContent = view.tiles.length ? "" : "No runs yet: they appear here as students press Start.";
  $("tiles").replaceChildren(...view.tiles.map((t) => tileNode(t, pin, act)));
  $("board-body").replaceChildren(
    ...(view.leaderboard.length
      ? view.leaderboard.map((t, i) =>
          el("tr", {}, el("td", { text: String(i + 1) }), el("td", { text: t.owner_name }), el("td", { text: t.name }),
            el("td", { class: "summary", text: t.summary }), el("td", { class: "num", text: fmtPct(t.test_accuracy) })))
      : [el("tr", {}, el("td", { colspan: "5", class: "hint", text: "No finished runs yet." }))]),
  );
  const limits = { ...view.limits, ...view.rates };
  $("limits").replaceChildren(...Object.entries(limits).map(([k, v]) => el("li", {}, `${k.replaceAll("_", " ")}: `, el("b", { text: String(v) }))));
}

let refreshing = false;
async function refresh() {
  if (refreshing || document.hidden) return;
  refreshing = true;
  try {
    render(await api.classView());
  } catch (err) {
    say(err.message);
  } finally {
    refreshing = false;
  }
}

async function act(action, t) {
  try {
    if (action === "show") await api.setPin("run", t.id);
    else if (action === "stop") await api.control(t.id, "stop");
    else if (action === "delete") {
      if (!confirm(`Delete ${t.owner_name}'s run ${t.name}?`)) return;
      await api.deleteRun(t.id);
    }
    say("");
    refresh();
  } catch (err) {
    say(err.message);
  }
}

async function main() {
  if (await claimTeacherLink().catch((err) => (say(err.message), false))) return;
  const session = boot.session || {};
  $("who").textContent = session.role === "teacher" ? "Teacher" : session.name || "";
  if (session.role !== "teacher") {
    $("class-main").replaceChildren(
      el("section", { class: "class-card" },
        el("h2", { text: "This page is the teacher's" }),
        el("p", { text: "Open the teacher link the server printed when it started (it ends in #token=...). Students follow the teacher from the playground itself." }),
        el("a", { class: "button", href: "/", text: "Go to the playground" })),
    );
    return;
  }
  $("pin-tab").replaceChildren(...(boot.tabs || []).map((t) => el("option", { value: t, text: t })));
  $("pin-tab-go").addEventListener("click", () => api.setPin("tab", $("pin-tab").value).then(refresh).catch((e) => say(e.message)));
  $("pin-clear").addEventListener("click", () => api.clearPin().then(refresh).catch((e) => say(e.message)));
  refresh();
  setInterval(refresh, REFRESH_MS);
}

main();
