/**
 * Number, shape and status formatting shared by the views (pure, tested).
 */

const DASH = "\u2014";

/** A metric value: 3 significant digits, exponent for tiny or huge values. */
export function fmtNum(x, digits = 3) {
  if (x === null || x === undefined || Number.isNaN(x)) return DASH;
  if (!Number.isFinite(x)) return x > 0 ? "\u221e" : "-\u221e";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toString();
}

/** A step count on an axis: 950, 12k, 150k, 1.5M: short enough never to be cut off. */
export function fmtStep(n) {
  if (!Number.isFinite(n)) return DASH;
  const a = Math.abs(n);
  if (a < 1e4) return String(Math.round(n));
  if (a < 1e6) return `${Number((n / 1e3).toPrecision(3))}k`;
  return `${Number((n / 1e6).toPrecision(3))}M`;
}

/** Parameter counts: 1,234 / 12.3k / 1.20M, as a reader scans a table. */
export function fmtCount(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return DASH;
  if (n < 10000) return n.toLocaleString("en-US");
  if (n < 1e6) return `${(n / 1e3).toFixed(1)}k`;
  return `${(n / 1e6).toFixed(2)}M`;
}

export function fmtPct(x, digits = 1) {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  return `${(x * 100).toFixed(digits)}%`;
}

/** [28, 28, 8] -> "28\u00d728\u00d78"; the multiplication sign reads as a shape. */
export function fmtShape(shape) {
  if (!Array.isArray(shape) || shape.length === 0) return DASH;
  return shape.join("\u00d7");
}

export function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return DASH;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return `${m} min ${s} s`;
}

/** One line of status for the status bar, always with the reason when there is one. */
export function statusText(run) {
  if (!run || !run.status) return "No run yet";
  const { status } = run;
  const msg = run.message || run.error || "";
  switch (status) {
    case "queued":
      return run.position ? `Queued (position ${run.position})` : "Queued";
    case "running":
      return "Running";
    case "paused":
      return "Paused";
    case "diverged":
      return `Diverged${msg ? `: ${msg}` : ""}`;
    case "failed":
      return `Failed${msg ? `: ${msg}` : ""}`;
    case "interrupted":
      return "Interrupted (server restarted); resume to continue";
    case "finished":
      return "Finished";
    case "stopped":
      return "Stopped";
    default:
      return status + (msg ? `: ${msg}` : "");
  }
}

/** Turns a FastAPI error body into words: {detail: "..."} or {detail: [{loc, msg}]}. */
export function errorText(body, fallback = "Request failed") {
  if (!body) return fallback;
  if (typeof body === "string") return body;
  const d = body.detail ?? body.message ?? body.error;
  if (typeof d === "string") return d;
  if (Array.isArray(d)) {
    return d
      .map((e) => {
        const loc = Array.isArray(e.loc) ? e.loc.filter((p) => p !== "body").join(".") : "";
        return loc ? `${loc}: ${e.msg}` : e.msg;
      })
      .join("; ");
  }
  if (d && typeof d === "object") return d.message || JSON.stringify(d);
  return fallback;
}
