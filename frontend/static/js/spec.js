/**
 * From the page's configuration to the engine's model spec and run request,
 * and from the server's 422 body back to errors per layer (pure, tested).
 */

import { fractionsFor } from "./bias.js";
import { isWeighted } from "./vocab.js";

/** Input shape of a dataset record from GET /api/datasets. */
export function inputShapeOf(info) {
  return info?.input_shape ? [...info.input_shape] : [28, 28, 1];
}

/** The spec POSTed to /models/validate and /runs. `init` overrides kernel_init of every weighted layer. */
export function buildSpec(config, info) {
  const layers = config.layers.map((l) => {
    const out = { ...l };
    if (config.init && isWeighted(l.type) && !l.kernel_init) out.kernel_init = config.init;
    return out;
  });
  return { input_shape: inputShapeOf(info), layers, loss: info?.num_classes === 0 ? "mse" : "softmax_cross_entropy" };
}

/** Body of POST /api/runs. Steps win over epochs when set (> 0). */
export function buildRunRequest(config, info, extra = {}) {
  const req = {
    spec: buildSpec(config, info),
    dataset: config.dataset,
    dataset_params: { val_split: config.val_split },
    epochs: config.epochs,
    steps: config.steps > 0 ? config.steps : null,
    batch_size: config.batch_size,
    optimizer: config.optimizer,
    lr: config.lr,
    lr_schedule: config.lr_schedule || "constant",
    seed: config.seed,
    ...(config.steps_per_second > 0 ? { steps_per_second: config.steps_per_second } : {}),
    ...(config.weight_decay > 0 ? { weight_decay: config.weight_decay } : {}),
    ...extra,
  };
  if (info?.kind === "2d" || info?.kind === "1d") req.dataset_params.noise = config.noise;
  const fractions = fractionsFor(config.class_fractions, info);
  if (Object.keys(fractions).length) req.dataset_params.class_fractions = fractions;
  return req;
}

/**
 * Splits a 422 body into {layers: {index: [message]}, general: [message]}.
 * loc looks like ["body", "spec", "layers", 3, "kernel_size"].
 */
export function errorsByLayer(body) {
  const out = { layers: {}, general: [] };
  const detail = body?.detail;
  if (typeof detail === "string") {
    out.general.push(detail);
    return out;
  }
  if (!Array.isArray(detail)) {
    if (detail) out.general.push(JSON.stringify(detail));
    return out;
  }
  for (const e of detail) {
    const loc = Array.isArray(e.loc) ? e.loc : [];
    const i = loc.indexOf("layers");
    const idx = i >= 0 ? loc[i + 1] : undefined;
    if (Number.isInteger(idx)) {
      const field = typeof loc[i + 2] === "string" ? loc[i + 2] : null;
      (out.layers[idx] ||= []).push({ field, message: e.msg });
    } else {
      out.general.push(e.msg);
    }
  }
  return out;
}

/** GET /api/layers as {type: entry}, whether the server sent a list or a mapping. */
export function normalizeCatalog(raw) {
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((e) => [e.type || e.name, e]));
  if (raw && Array.isArray(raw.layers)) return normalizeCatalog(raw.layers);
  return raw || {};
}

/**
 * The form fields of a layer type from the GET /api/layers catalog, as a list:
 * [{name, kind: "int"|"float"|"bool"|"choice"|"str", required, default, choices}].
 */
export function paramFields(catalog, type) {
  const entry = catalog?.[type];
  if (!entry) return [];
  const params = entry.params || {};
  const list = Array.isArray(params) ? params : Object.entries(params).map(([name, p]) => ({ name, ...p }));
  return list.map((p) => {
    const choices = p.choices || p.options || p.enum || null;
    let kind = String(p.type || "str").toLowerCase();
    if (choices) kind = "choice";
    else if (kind.startsWith("int")) kind = "int";
    else if (kind.startsWith("float") || kind === "number") kind = "float";
    else if (kind.startsWith("bool")) kind = "bool";
    else kind = "str";
    return {
      name: p.name,
      kind,
      required: Boolean(p.required),
      nullable: Boolean(p.nullable),
      default: p.default ?? null,
      choices,
      min: p.minimum ?? null,
      max: p.maximum ?? null,
      description: p.description || p.help || "",
    };
  });
}

/** Parses a form value for a field kind; "" means "use the default" (key removed). */
export function coerceParam(kind, text) {
  if (text === "" || text === null || text === undefined) return undefined;
  if (kind === "bool") return text === true || text === "true";
  if (kind === "int" || kind === "float") {
    const n = Number(text);
    return Number.isFinite(n) ? n : text; // the server names the bad field
  }
  return text;
}

/** Moves item `from` to `to` in a copy of the list. */
export function moveItem(list, from, to) {
  if (to < 0 || to >= list.length || from === to) return list.slice();
  const out = list.slice();
  const [x] = out.splice(from, 1);
  out.splice(to, 0, x);
  return out;
}
