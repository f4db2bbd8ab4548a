/**
 * The only module that knows the server's URLs (docs/api.md).
 * Every call resolves to parsed JSON or throws ApiError with the server's words.
 */

import { errorText } from "./format.js";

export class ApiError extends Error {
  constructor(status, body, fallback) {
    super(errorText(body, fallback));
    this.status = status;
    this.body = body;
  }
}

const abortError = () => new DOMException("The request was aborted", "AbortError");

async function request(method, path, body, { form = false, signal } = {}) {
  // The custom header tells the server (classroom mode) this is the page itself,
  // not another site's form: a plain HTML form cannot send it.
  const init = { method, signal, headers: { "X-Playground": "1" } };
  if (body !== undefined) {
    if (form) init.body = body;
    else {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
    }
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError(0, null, `Cannot reach the server: is it still running? (${err.message})`);
  }
  if (res.status === 204) return null;
  const type = res.headers.get("content-type") || "";
  let data;
  try {
    data = type.includes("json") ? await res.json().catch(() => null) : await res.text();
  } catch (err) {
    if (signal?.aborted) throw abortError();
    throw new ApiError(0, null, `The server's answer broke off: ${err.message}`);
  }
  // Aborted while the body was read: json() fails and the body is no answer at all.
  if (signal?.aborted) throw abortError();
  if (!res.ok) {
    const err = new ApiError(res.status, data, `${method} ${path} failed with HTTP ${res.status}`);
    err.retryAfter = Number(res.headers.get("retry-after")) || 0;
    throw err;
  }
  return data;
}

/**
 * `call()` again after the few seconds a 429 asks for (Retry-After), a few
 * times: heavy inspections (decision grid, evaluation, unit views) and the
 * heavier labs take turns on the server, and a class clicking at once should
 * wait its turn, not fail.
 */
export async function patiently(call, { tries = 4, longest = 10, sleep = (s) => new Promise((r) => setTimeout(r, s * 1000)) } = {}) {
  for (let i = 1; ; i += 1) {
    try {
      return await call();
    } catch (err) {
      if (err.status !== 429 || i >= tries || !(err.retryAfter > 0 && err.retryAfter <= longest)) throw err;
      await sleep(err.retryAfter);
    }
  }
}

/** The filename of a Content-Disposition header, or `fallback`. */
export function attachmentName(header, fallback) {
  const m = /filename="([^"]+)"/.exec(header || "");
  return m ? m[1] : fallback;
}

/** GET a download: {blob, filename} (the server names the file), or ApiError. */
async function download(path) {
  let res;
  try {
    res = await fetch(path);
  } catch (err) {
    throw new ApiError(0, null, `Cannot reach the server: is it still running? (${err.message})`);
  }
  if (!res.ok) {
    const body = await res.json().catch(() => null);
    throw new ApiError(res.status, body, `GET ${path} failed with HTTP ${res.status}`);
  }
  const filename = attachmentName(res.headers.get("content-disposition"), path.split("/").pop());
  return { blob: await res.blob(), filename };
}

const withFile = (file, name = "file", filename) => {
  const form = new FormData();
  form.append(name, file, filename);
  return form;
};

// A target is a finished run or an imported model: both answer predict/activations.
const targetPath = (t) => (t.kind === "model" ? `/api/models/${t.id}` : `/api/runs/${t.id}`);

export const api = {
  health: () => request("GET", "/api/health"),
  datasets: () => request("GET", "/api/datasets"),
  layers: () => request("GET", "/api/layers"),
  vocabularies: () => request("GET", "/api/vocabularies"),
  uploadDataset: (file) => request("POST", "/api/datasets/upload", withFile(file), { form: true }),
  // With `dataset`, the spec's last layer and loss are checked against its targets too.
  validate: (spec, signal, dataset) => request("POST", "/api/models/validate", dataset ? { spec, dataset } : { spec }, { signal }),
  importModel: (file) => request("POST", "/api/models/import", withFile(file), { form: true }),
  models: () => request("GET", "/api/models"),
  createRun: (body) => request("POST", "/api/runs", body),
  runs: () => request("GET", "/api/runs"),
  run: (id) => request("GET", `/api/runs/${id}`),
  control: (id, action, body) => request("POST", `/api/runs/${id}/${action}`, body),
  patchRun: (id, patch) => request("PATCH", `/api/runs/${id}`, patch),
  deleteRun: (id) => request("DELETE", `/api/runs/${id}`),
  metrics: (id, kind = "step", maxPoints = 500) => request("GET", `/api/runs/${id}/metrics?kind=${kind}&max_points=${maxPoints}&limit=100000`),
  filters: (target, layer) => request("GET", `${targetPath(target)}/layers/${layer}/filters`),
  weights: (target, layer, maxUnits = 64) => request("GET", `${targetPath(target)}/layers/${layer}/weights?max_units=${maxUnits}`),
  decisionGrid: (id, resolution = 60) => patiently(() => request("GET", `/api/runs/${id}/decision-grid?resolution=${resolution}`)),
  evaluation: (id) => patiently(() => request("GET", `/api/runs/${id}/evaluation`)),
  units: (id) => patiently(() => request("GET", `/api/runs/${id}/units`)),
  lab: (name, body, signal) => patiently(() => request("POST", `/api/labs/${name}`, body, { signal })),
  exportUrl: (id, format = "zip") => `/api/runs/${id}/export?format=${format}`,
  exportRun: (id, format) => download(api.exportUrl(id, format)),
  session: () => request("GET", "/api/session"),
  login: (token) => request("POST", "/api/session/login", { token }),
  classView: () => request("GET", "/api/class"),
  pin: () => request("GET", "/api/class/pin"),
  setPin: (kind, target) => request("PUT", "/api/class/pin", { kind, target }),
  clearPin: () => request("DELETE", "/api/class/pin"),
  // `transform`: {shift: [dx, dy], rotate, scale} or a list of them (one prediction each).
  predictImage: (target, blob, signal, transform) => {
    const form = withFile(blob, "file", "drawing.png");
    if (transform) form.append("transform", JSON.stringify(transform));
    return request("POST", `${targetPath(target)}/predict`, form, { form: true, signal });
  },
  activationsImage: (target, blob, signal, transform) => {
    const form = withFile(blob, "file", "drawing.png");
    if (transform) form.append("transform", JSON.stringify(transform));
    return request("POST", `${targetPath(target)}/activations?top_k=6`, form, { form: true, signal });
  },
};

/**
 * Follows WS /ws/runs/{id}: onMessage(msg) for every server message; reconnects
 * with backoff while shouldReconnect() says the run may still change; close()
 * ends it for good. onConnection(false) when the link drops and a retry is
 * planned, onConnection(true) when a retry gets through.
 */
export function followRun(id, onMessage, options) {
  return followSocket(`/ws/runs/${id}`, onMessage, options);
}

/** Follows WS /ws/class: the teacher's pin now and at every change (presenter mode). */
export function followClass(onMessage, options) {
  return followSocket("/ws/class", onMessage, options);
}

// Close codes after which retrying cannot help: unknown run, no session, another origin.
const FINAL_CODES = new Set([1000, 4401, 4403, 4404]);

function followSocket(path, onMessage, { onClose, onConnection, shouldReconnect = () => true } = {}) {
  let ws = null;
  let closed = false;
  let retry = 500;
  let lost = false;
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`;
  const open = () => {
    ws = new WebSocket(url);
    ws.addEventListener("open", () => {
      retry = 500;
      if (lost && onConnection) onConnection(true);
      lost = false;
    });
    ws.addEventListener("message", (e) => {
      let msg;
      try {
        msg = JSON.parse(e.data);
      } catch {
        return;
      }
      onMessage(msg);
    });
    ws.addEventListener("close", (e) => {
      if (closed || FINAL_CODES.has(e.code) || !shouldReconnect()) {
        if (onClose) onClose(e);
        return;
      }
      if (!lost && onConnection) onConnection(false);
      lost = true;
      setTimeout(() => !closed && open(), retry);
      // A class waits for a restarted server: keep retrying every few seconds.
      retry = Math.min(retry * 2, 3000);
    });
  };
  open();
  return {
    send: (msg) => ws && ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(msg)),
    close: () => {
      closed = true;
      if (ws) ws.close(1000);
    },
  };
}
