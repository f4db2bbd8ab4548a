/**
 * Entry point: reads the bootstrap data, creates the one state object, keeps
 * the configuration in the URL hash, switches tabs, shows server errors, and
 * mounts each view. Views get the store and the elements they own.
 */

import { createStore, changed } from "./state.js";
import { decodeConfig, encodeConfig, DEFAULT_CONFIG } from "./urlconfig.js";
import { normalizeCatalog } from "./spec.js";
import { setupFor } from "./presets.js";
import { emptyHistory } from "./history.js";
import { api } from "./api.js";
import { fillSelects, setVocabularies } from "./vocab.js";
import { mountBuild } from "./views/build.js";
import { mountRunControl } from "./views/runControl.js";
import { mountTrain } from "./views/train.js";
import { mountFilters } from "./views/filters.js";
import { mountEval } from "./views/evaluate.js";
import { mountDraw } from "./views/draw.js";
import { mountRuns } from "./views/runs.js";
import { mountLearn } from "./views/learn.js";
import { mountPresenter } from "./views/presenter.js";

// The tab names come with the page (api/frontend.py TABS); the list here only
// serves a page opened without its bootstrap data.
const boot = readBootstrap();
const TABS = boot.tabs || ["build", "train", "filters", "eval", "draw", "runs", "learn"];

function readBootstrap() {
  try {
    return JSON.parse(document.getElementById("bootstrap").textContent) || {};
  } catch {
    return {};
  }
}

function initialConfig(datasets) {
  const config = decodeConfig(location.hash);
  const info = datasets.find((d) => d.name === config.dataset) || datasets[0];
  if (info && info.name !== config.dataset) config.dataset = info.name;
  if (!config.layers.length) {
    // A link without layers (#dataset=sin) gets the dataset's own setup; what the
    // link spells out wins (a value equal to the default is not written in links).
    for (const [key, value] of Object.entries(setupFor(info))) {
      if (key === "layers" || config[key] === DEFAULT_CONFIG[key]) config[key] = value;
    }
  }
  return config;
}

/**
 * "Cannot reach the server" stays only while it is true: while that banner is
 * shown, ask /api/health every few seconds and clear it once the server answers.
 * Returning to the tab checks too, so a server that stopped meanwhile is named
 * before the next click fails. The open run's socket handles its own lost banner.
 */
const HEALTH_PERIOD_MS = 5000;

function watchServer(store) {
  const unreachable = (s) => s.banner?.source === "connection" && s.connection !== "lost";
  let asking = false;
  const check = async () => {
    if (asking) return;
    asking = true;
    try {
      await api.health();
      store.setState((s) => (unreachable(s) ? { banner: null } : null));
    } catch (err) {
      if (err.status === 0) {
        store.setState((s) =>
          s.banner?.source === "connection" ? null : { banner: { text: err.message, kind: "error", source: "connection" } },
        );
      }
    } finally {
      asking = false;
    }
  };
  let timer = 0;
  store.subscribe((s) => {
    const on = unreachable(s);
    if (on && !timer) timer = setInterval(check, HEALTH_PERIOD_MS);
    if (!on && timer) {
      clearInterval(timer);
      timer = 0;
    }
  });
  window.addEventListener("focus", check);
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && check());
}

async function main() {
  // Every view asks vocab.js for the run statuses, optimizers, paddings...: they
  // must be there before the first one mounts (the bootstrap has them; a page
  // served without it asks the API).
  let vocab = boot.vocabularies;
  if (!vocab) {
    try {
      vocab = await api.vocabularies();
    } catch (err) {
      const banner = document.getElementById("banner");
      banner.hidden = false;
      document.getElementById("banner-text").textContent = `Cannot load the page's vocabularies from the server: ${err.message}`;
      return;
    }
  }
  setVocabularies(vocab);
  fillSelects(document, vocab);
  const datasets = boot.datasets || [];
  const store = createStore({
    config: initialConfig(datasets),
    catalog: normalizeCatalog(boot.layers),
    datasets,
    limits: boot.limits || {},
    session: boot.session || null,
    validation: { report: null, errors: null, pending: true },
    run: null,
    history: emptyHistory(),
    evaluation: null,
    tab: TABS.includes(new URLSearchParams(location.search).get("tab")) ? new URLSearchParams(location.search).get("tab") : "build",
    banner: null,
    connection: "ok", // "lost" while the open run's websocket retries
    runs: [],
    models: [],
    target: null,
  });
  // status 0: the server did not answer; the banner goes when the run's socket gets
  // through again, and a lost-connection banner already says it in better words.
  const report = (err) =>
    store.setState((s) =>
      err.status === 0 && s.banner?.source === "connection"
        ? null
        : { banner: { text: err.message || String(err), kind: "error", ...(err.status === 0 ? { source: "connection" } : {}) } },
    );

  // The configuration lives in the hash; replaceState keeps Back for real navigation.
  store.subscribe((s, prev) => {
    if (!changed(s, prev, "config")) return;
    const hash = encodeConfig(s.config);
    if (location.hash.slice(1) !== hash) history.replaceState(null, "", `${location.pathname}${location.search}${hash ? `#${hash}` : ""}`);
  });
  window.addEventListener("hashchange", () => store.setState({ config: initialConfig(store.get().datasets) }));

  // The open run's id goes in the query string (?run=...), beside the hash's
  // setup, so a link lets a class follow the same run live; the tab too, so
  // the link opens the view the sender was looking at.
  const syncQuery = (s) => {
    const params = new URLSearchParams(location.search);
    if (s.run) params.set("run", s.run.id);
    else params.delete("run");
    if (s.tab !== "build") params.set("tab", s.tab);
    else params.delete("tab");
    const query = params.toString();
    history.replaceState(null, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
  };
  store.subscribe((s, prev) => (s.run?.id !== prev.run?.id || s.tab !== prev.tab) && syncQuery(s));

  // Tabs: arrow keys move between them, as the ARIA tabs pattern expects.
  const tabButtons = [...document.querySelectorAll("[role=tab]")];
  const showTab = (s) => {
    for (const b of tabButtons) {
      const on = b.dataset.tab === s.tab;
      b.setAttribute("aria-selected", String(on));
      b.tabIndex = on ? 0 : -1;
      document.getElementById(`view-${b.dataset.tab}`).hidden = !on;
    }
  };
  tabButtons.forEach((b, i) => {
    b.addEventListener("click", () => store.setState({ tab: b.dataset.tab }));
    b.addEventListener("keydown", (e) => {
      const d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
      if (!d) return;
      const next = tabButtons[(i + d + tabButtons.length) % tabButtons.length];
      next.focus();
      store.setState({ tab: next.dataset.tab });
    });
  });
  store.subscribe((s, prev) => changed(s, prev, "tab") && showTab(s));
  showTab(store.get());

  // Errors in words, dismissable, never swallowed.
  const banner = document.getElementById("banner");
  document.getElementById("banner-close").addEventListener("click", () => store.setState({ banner: null }));
  store.subscribe((s, prev) => {
    if (!changed(s, prev, "banner")) return;
    banner.hidden = !s.banner;
    banner.className = `banner ${s.banner?.kind || ""}`;
    document.getElementById("banner-text").textContent = s.banner?.text || "";
  });

  const ctx = { store, report };
  mountBuild(ctx);
  mountRunControl(ctx);
  mountTrain(ctx);
  mountFilters(ctx);
  mountEval(ctx);
  mountDraw(ctx);
  mountRuns(ctx);
  mountLearn(ctx);
  mountPresenter(ctx, boot);

  // A stale link to a deleted run: the banner says so and the id leaves the address.
  const runParam = new URLSearchParams(location.search).get("run");
  if (runParam) ctx.openRun(runParam).then((found) => !found && syncQuery(store.get()));

  watchServer(store);

  // The bootstrap may be empty when the page is served statically; ask the API.
  if (!datasets.length) api.datasets().then((d) => store.setState({ datasets: d, config: initialConfig(d) })).catch(report);
  if (!boot.layers) api.layers().then((l) => store.setState({ catalog: normalizeCatalog(l) })).catch(report);
}

main();
