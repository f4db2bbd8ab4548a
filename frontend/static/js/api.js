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

async function request(method, path, body, { form = false, signal } = {}) {
  const init = { method, signal, headers: {} };
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
  const data = type.includes("json") ? await res.json().catch(() => null) : await res.text();
  if (!res.ok) throw new ApiError(res.status, data, `${method} ${path} failed with HTTP ${res.status}`);
  return data;
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
  uploadDataset: (file) => request("POST", "/api/datasets/upload", withFile(file), { form: true }),
  validate: (spec, signal) => request("POST", "/api/models/validate", { spec }, { signal }),
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
  decisionGrid: (id, resolution = 60) => request("GET", `/api/runs/${id}/decision-grid?resolution=${resolution}`),
  evaluation: (id) => request("GET", `/api/runs/${id}/evaluation`),
  lab: (name, body, signal) => request("POST", `/api/labs/${name}`, body, { signal }),
  exportUrl: (id, format = "zip") => `/api/runs/${id}/export?format=${format}`,
  exportRun: (id, format) => download(api.exportUrl(id, format)),
  // `transform`: {shift: [dx, dy], rotate, scale} or a list of them (one prediction each).
  predictImage: (target, blob, signal, transform) => {
    const form = withFile(blob, "file", "drawing.png");
    if (transform) form.append("transform", JSON.stringify(transform));
    return request("POST", `${targetPath(target)}/predict`, form, { form: true, signal });
  },
  activationsImage: (target, blob, signal) =>
    request("POST", `${targetPath(target)}/activations?top_k=6`, withFile(blob, "file", "drawing.png"), { form: true, signal }),
};

/**
 * Follows WS /ws/runs/{id}: onMessage(msg) for every server message; reconnects
 * with backoff while shouldReconnect() says the run may still change; close()
 * ends it for good. onConnection(false) when the link drops and a retry is
 * planned, onConnection(true) when a retry gets through.
 */
export function followRun(id, onMessage, { onClose, onConnection, shouldReconnect = () => true } = {}) {
  let ws = null;
  let closed = false;
  let retry = 500;
  let lost = false;
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/runs/${id}`;
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
      if (closed || e.code === 4404 || e.code === 1000 || !shouldReconnect()) {
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
