/**
 * The top bar: start / pause / resume / step / stop / reset, the learning rate
 * of the running run (PATCH), and the status line that is always visible.
 * Owns the websocket of the open run and sets ctx.openRun(id) for other views.
 */

import { changed } from "../state.js";
import { api, followRun } from "../api.js";
import { buildRunRequest } from "../spec.js";
import { emptyHistory, applyEvent, applyMetrics, mergeSteps, hasGap, markPause } from "../history.js";
import { statusText, fmtNum } from "../format.js";
import { debounce } from "../dom.js";
import { datasetInfo } from "./build.js";
import { mayChange, watchingNote } from "../session.js";
import { isActive, isTerminal } from "../vocab.js";

const $ = (id) => document.getElementById(id);
// The server reads a run's weights from its checkpoint: before the first one an
// inspection answers 409, so views wait for the run record to name one. A run
// that failed, or was interrupted before its first checkpoint, has none.
export const hasWeights = (run) =>
  Boolean(run && (run.checkpoint || (isTerminal(run.status) && run.status !== "failed" && run.status !== "interrupted")));
const GONE = "That run no longer exists: it was deleted. Start a new one or open another from the Runs tab.";

export function mountRunControl(ctx) {
  const { store, report } = ctx;
  let socket = null;

  // Websocket events arrive up to ~20/s; fold them and commit once per frame.
  let pending = [];
  let frame = 0;
  const flush = () => {
    frame = 0;
    const events = pending;
    pending = [];
    store.setState((s) => {
      let { history, run } = s;
      for (const ev of events) {
        if (ev.type === "state") run = ev.run;
        else if (ev.type === "status") {
          run = run && { ...run, status: ev.status, message: ev.message || "" };
          if (ev.status === "paused") history = markPause(history);
        }
        else if (ev.type === "done") run = run && { ...run, status: ev.status || run.status, message: ev.message || run.message, final: ev };
        else if (ev.type === "eval") continue; // the Evaluate view fetches the full evaluation (with images) when the run ends
        else history = applyEvent(history, ev);
      }
      return { history, run };
    });
    // The server ends the event stream at a terminal status; let the socket go too.
    // The final run record (final metrics, message) comes from REST.
    const ended = isTerminal(store.get().run?.status) && events.some((ev) => ev.type === "done" || ev.type === "status");
    if (ended) {
      if (socket) socket.close();
      socket = null;
      const id = store.get().run.id;
      api.run(id).then((run) => store.get().run?.id === id && store.setState({ run })).catch(report);
    }
    for (const ev of events) if (ev.type === "error") report(new Error(`Live stream: ${ev.message}`));
  };
  const onMessage = (msg) => {
    pending.push(msg);
    if (!frame) frame = requestAnimationFrame(flush);
  };

  // A dropped link says so in words, in the banner and the status line; when
  // the socket gets through again its first `state` message brings the run up to date.
  const onConnection = (ok) =>
    store.setState((s) => ({
      connection: ok ? "ok" : "lost",
      banner: ok
        ? s.banner?.source === "connection" ? null : s.banner
        : { text: "Lost the connection to the server. Retrying every few seconds; the page catches up when it answers again.", kind: "error", source: "connection" },
    }));

  // A run deleted elsewhere (another tab, the CLI) ends its socket with 4404.
  const onClose = (id) => (e) => {
    if (e.code === 4404 && store.get().run?.id === id) {
      const target = store.get().target?.id === id ? { target: null } : {};
      ctx.closeRun({ banner: { text: GONE, kind: "error" }, ...target });
    }
  };

  function follow(id) {
    if (socket) socket.close();
    if (store.get().connection !== "ok") store.setState({ connection: "ok" });
    socket = followRun(id, onMessage, { onConnection, onClose: onClose(id), shouldReconnect: () => !isTerminal(store.get().run?.status) });
  }

  /** Forget the open run at once (deleted, or Reset): no socket retrying, "No run yet"; `patch` goes along. */
  ctx.closeRun = (patch = {}) => {
    if (socket) socket.close();
    socket = null;
    store.setState((s) => ({
      run: null,
      history: emptyHistory(),
      evaluation: null,
      connection: "ok",
      ...patch,
    }));
  };

  // Fill holes left by skipped step events from the stored history, checked every 1.5 s.
  // The stored history may itself be sampled: after a fill, wait for new steps
  // before trying again rather than asking for the same holes over and over.
  let filling = false;
  let filledAt = { id: null, step: -1 };
  setInterval(async () => {
    const s = store.get();
    const run = s.run;
    if (!run || filling) return;
    const gap = Math.max(20, s.history.lastStep / 500);
    if (filledAt.id === run.id && s.history.lastStep < filledAt.step + gap) return;
    if (!hasGap(s.history, gap)) return;
    filling = true;
    filledAt = { id: run.id, step: s.history.lastStep };
    try {
      const m = await api.metrics(run.id, "step", 1000);
      if (store.get().run?.id === run.id) store.setState((st) => ({ history: mergeSteps(st.history, m.points || []) }));
    } catch (err) {
      report(err);
    } finally {
      filling = false;
    }
  }, 1500);

  // Ask for a weight snapshot about once a second while training, so the
  // gradient-norm and histogram charts move even when the server's own
  // snapshot period is long. Each request also brings a fresh run record.
  setInterval(() => {
    const run = store.get().run;
    if (socket && run && run.status === "running" && !document.hidden) socket.send({ type: "snapshot" });
  }, 1000);

  // Resolves to false when the run does not exist (a stale link), else true.
  ctx.openRun = async (id, { tab } = {}) => {
    try {
      const run = await api.run(id);
      const [steps, epochs] = await Promise.all([api.metrics(id, "step", 1000), api.metrics(id, "epoch", 1000)]);
      let history = applyMetrics(emptyHistory(), "step", steps.points || []);
      history = applyMetrics(history, "epoch", epochs.points || []);
      // The Build view shows the opened run's setup, so its link reproduces it.
      const c = run.config || {};
      const config = {
        ...store.get().config,
        dataset: run.dataset,
        layers: run.spec?.layers || store.get().config.layers,
        optimizer: c.optimizer ?? store.get().config.optimizer,
        lr: c.lr ?? store.get().config.lr,
        lr_schedule: c.lr_schedule ?? "constant",
        batch_size: c.batch_size ?? store.get().config.batch_size,
        epochs: c.epochs ?? store.get().config.epochs,
        steps: c.steps || 0,
        seed: c.seed ?? 0,
        steps_per_second: c.steps_per_second || 0,
        weight_decay: c.weight_decay || 0,
        init: "",
        val_split: run.dataset_params?.val_split ?? store.get().config.val_split,
        noise: run.dataset_params?.noise ?? store.get().config.noise,
      };
      store.setState({ run, history, config, evaluation: null, target: { kind: "run", id: run.id }, ...(tab ? { tab } : {}) });
      if (isActive(run.status)) follow(id);
      else if (socket) socket.close();
    } catch (err) {
      if (err.status !== 404) report(err);
      else {
        store.setState({ banner: { text: GONE, kind: "error" } });
        return false;
      }
    }
    return true;
  };

  $("btn-start").addEventListener("click", async () => {
    const s = store.get();
    if (s.validation.errors) {
      report(new Error("Fix the model first: the layer in red explains what is wrong."));
      return;
    }
    try {
      const name = $("run-name").value.trim();
      const run = await api.createRun(buildRunRequest(s.config, datasetInfo(s), name ? { name } : {}));
      store.setState({ run, history: emptyHistory(), evaluation: null, target: { kind: "run", id: run.id }, tab: s.tab === "build" ? "train" : s.tab, banner: null });
      follow(run.id);
    } catch (err) {
      report(err);
    }
  });

  const act = (action, body) => async () => {
    const run = store.get().run;
    if (!run) return;
    try {
      const next = await api.control(run.id, action, body);
      store.setState({ run: next });
      if (action === "resume" && !socket) follow(run.id);
    } catch (err) {
      report(err);
    }
  };
  $("btn-pause").addEventListener("click", () => {
    const run = store.get().run;
    (run && (run.status === "paused" || run.status === "interrupted") ? act("resume") : act("pause"))();
  });
  // In slow motion (10 steps/s or slower) Step runs one step: the unit of watching.
  const stepSize = (s) => (s.config.steps_per_second > 0 && s.config.steps_per_second <= 10 ? 1 : 10);
  $("btn-step").addEventListener("click", () => act("step", { n: stepSize(store.get()) })());

  $("run-speed").addEventListener("change", async (e) => {
    const rate = Number(e.target.value);
    store.setState((s) => ({ config: { ...s.config, steps_per_second: rate } }));
    const run = store.get().run;
    if (!run || !isActive(run.status)) return;
    try {
      store.setState({ run: await api.patchRun(run.id, { steps_per_second: rate }) });
    } catch (err) {
      report(err);
    }
  });
  $("btn-stop").addEventListener("click", act("stop"));
  $("btn-reset").addEventListener("click", () => ctx.closeRun({ tab: "build" }));

  const patchLr = debounce(async (lr) => {
    const run = store.get().run;
    if (!run || !isActive(run.status)) return;
    try {
      store.setState({ run: await api.patchRun(run.id, { lr }) });
    } catch (err) {
      report(err);
    }
  }, 300);
  // A value the box cannot use says so (and goes away with the next good value).
  $("live-lr").addEventListener("input", (e) => {
    const text = e.target.value.trim();
    const lr = Number(text);
    const ok = text !== "" && lr > 0 && Number.isFinite(lr);
    e.target.setAttribute("aria-invalid", String(!ok && text !== ""));
    if (!ok) {
      if (text !== "") store.setState({ banner: { text: `Learning rate: ${text} is not a number above 0; the run keeps ${store.get().run?.config?.lr ?? store.get().config.lr}.`, kind: "error", source: "lr" } });
      return;
    }
    store.setState((s) => ({ config: { ...s.config, lr }, ...(s.banner?.source === "lr" ? { banner: null } : {}) }));
    patchLr(lr);
  });

  function render(s) {
    const run = s.run;
    const status = run?.status;
    $("btn-start").disabled = Boolean(run && !isTerminal(status));
    const pause = $("btn-pause");
    const resumable = status === "paused" || status === "interrupted";
    pause.textContent = resumable ? "\u25b6 Resume" : "\u275a\u275a Pause";
    pause.setAttribute("aria-label", resumable ? "Resume" : "Pause");
    // Someone else's run (classroom mode) is watched, not steered.
    const mine = !run || mayChange(s.session, run);
    pause.disabled = !mine || !(status === "running" || resumable);
    $("btn-step").disabled = !mine || status !== "paused";
    const n = stepSize(s);
    $("btn-step").textContent = n === 1 ? "Step 1" : "Step 10";
    $("btn-step").title = `Run ${n} step${n === 1 ? "" : "s"}, then pause`;
    const speed = $("run-speed");
    const rate = String(run && isActive(status) ? run.config?.steps_per_second || 0 : s.config.steps_per_second || 0);
    if (document.activeElement !== speed) {
      if (![...speed.options].some((o) => o.value === rate)) speed.append(new Option(`${rate} steps/s`, rate));
      speed.value = rate;
    }
    speed.disabled = !mine;
    $("btn-stop").disabled = !mine || !isActive(status);
    $("live-lr").disabled = !mine;
    $("btn-reset").disabled = !run;
    const lrInput = $("live-lr");
    if (document.activeElement !== lrInput) lrInput.value = run?.config?.lr ?? s.config.lr;
    const lost = run && s.connection === "lost";
    // A clipped cross-entropy never becomes inf, so a too-large lr can "finish" with a
    // loss far above guessing (ln k); the status says so instead of a bare "Finished".
    const classes = s.datasets.find((d) => d.name === run?.dataset)?.num_classes;
    const lastLoss = s.history.steps.at(-1)?.[1];
    const chance = classes >= 2 ? Math.log(classes) : null;
    const worse = (status === "finished" || status === "stopped") && chance && lastLoss > 2 * chance;
    const watching = watchingNote(s.session, run);
    const note = lost ? " \u00b7 server unreachable, retrying" : watching ? ` \u00b7 ${watching}` : worse ? ` \u00b7 loss ${fmtNum(lastLoss)} is worse than guessing (${fmtNum(chance)}): try a lower learning rate` : "";
    $("status-text").textContent = `${statusText(run && { ...run, position: run.queue_position })}${note}`;
    $("status-dot").className = `status-dot ${lost ? "lost" : status || "none"}`;
    const total = run?.progress?.total_steps;
    const step = Math.max(s.history.lastStep || 0, run?.progress?.step || 0);
    $("status-progress").textContent = run ? `step ${step}${total ? ` / ${total}` : ""}${s.history.steps.length ? ` \u00b7 loss ${fmtNum(s.history.steps.at(-1)[1])}` : ""}` : "";
    $("progress-bar").style.width = `${total ? Math.min(100, (100 * step) / total) : 0}%`;
  }
  store.subscribe((s, prev) => {
    if (changed(s, prev, "run", "history", "connection") || s.config.lr !== prev.config.lr || s.config.steps_per_second !== prev.config.steps_per_second) render(s);
  });
  render(store.get());
}
