/**
 * The shareable configuration <-> URL hash (pure, tested).
 *
 * Readable on purpose, so a teacher can edit a link by hand:
 *   #dataset=mnist&opt=adam&lr=0.001&batch=64&epochs=1&seed=0
 *    &layers=conv2d(filters:8,kernel_size:5,padding:same);relu;maxpool2d;flatten;dense(units:10)
 * A biased training set reads bias=8:0.01,3:0.5 (class:kept fraction, the
 * run's dataset_params.class_fractions). Only values that differ from DEFAULT_CONFIG are written; unknown keys are ignored
 * and malformed values fall back to the default, so an old link never breaks the page.
 */

export const DEFAULT_CONFIG = Object.freeze({
  dataset: "mnist",
  noise: 0.1,
  val_split: 0.1,
  optimizer: "adam",
  lr: 0.001,
  lr_schedule: "constant",
  batch_size: 64,
  epochs: 1,
  steps: 0,
  init: "",
  seed: 0,
  steps_per_second: 0, // 0: full speed
  weight_decay: 0,
  layers: [],
  class_fractions: Object.freeze({}),
});

// URL key -> [config key, kind]
const FIELDS = {
  dataset: ["dataset", "str"],
  noise: ["noise", "num"],
  val: ["val_split", "num"],
  opt: ["optimizer", "str"],
  lr: ["lr", "num"],
  sched: ["lr_schedule", "str"],
  batch: ["batch_size", "int"],
  epochs: ["epochs", "int"],
  steps: ["steps", "int"],
  init: ["init", "str"],
  seed: ["seed", "int"],
  speed: ["steps_per_second", "num"],
  l2: ["weight_decay", "num"],
};

// Characters that may appear in a fragment unescaped and are not our separators.
const safe = (s) => encodeURIComponent(String(s)).replace(/%2F/g, "/");

function parseValue(text) {
  if (text === "true") return true;
  if (text === "false") return false;
  if (text !== "" && /^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i.test(text)) return Number(text);
  return text;
}

/** [{type:"dense", units:10}] -> "dense(units:10)" items joined by ";". */
export function encodeLayers(layers) {
  return layers
    .map(({ type, ...params }) => {
      const keys = Object.keys(params).filter((k) => params[k] !== undefined && params[k] !== null && params[k] !== "");
      if (keys.length === 0) return safe(type);
      return `${safe(type)}(${keys.map((k) => `${safe(k)}:${safe(params[k])}`).join(",")})`;
    })
    .join(";");
}

/** The inverse of encodeLayers; items that do not parse are dropped. */
export function decodeLayers(text) {
  if (!text) return [];
  const out = [];
  for (const item of text.split(";")) {
    const m = /^([\w-]+)(?:\((.*)\))?$/.exec(item.trim());
    if (!m) continue;
    const layer = { type: decodeURIComponent(m[1]) };
    if (m[2]) {
      for (const pair of m[2].split(",")) {
        const i = pair.indexOf(":");
        if (i <= 0) continue;
        layer[decodeURIComponent(pair.slice(0, i))] = parseValue(decodeURIComponent(pair.slice(i + 1)));
      }
    }
    out.push(layer);
  }
  return out;
}

/** {"8": 0.01, "3": 0.5} -> "3:0.5,8:0.01" (classes in order; kept-all entries dropped). */
export function encodeFractions(fractions) {
  return Object.entries(fractions || {})
    .filter(([, f]) => Number.isFinite(f) && f > 0 && f < 1)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([c, f]) => `${c}:${f}`)
    .join(",");
}

/** The inverse of encodeFractions; pairs that are not class:fraction in (0, 1) are dropped. */
export function decodeFractions(text) {
  const out = {};
  for (const pair of (text || "").split(",")) {
    const m = /^(\d{1,4}):(\d*\.?\d+(?:e-?\d+)?)$/i.exec(pair.trim());
    if (!m) continue;
    const f = Number(m[2]);
    if (f > 0 && f < 1) out[String(Number(m[1]))] = f;
  }
  return out;
}

export function encodeConfig(config) {
  const parts = [];
  for (const [key, [field]] of Object.entries(FIELDS)) {
    const v = config[field];
    if (v === undefined || v === DEFAULT_CONFIG[field]) continue;
    parts.push(`${key}=${safe(v)}`);
  }
  const bias = encodeFractions(config.class_fractions);
  if (bias) parts.push(`bias=${bias}`);
  if (config.layers && config.layers.length) parts.push(`layers=${encodeLayers(config.layers)}`);
  return parts.join("&");
}

export function decodeConfig(hash) {
  const config = { ...DEFAULT_CONFIG, layers: [], class_fractions: {} };
  const text = (hash || "").replace(/^#/, "");
  if (!text) return config;
  for (const part of text.split("&")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    const key = part.slice(0, i);
    const raw = part.slice(i + 1);
    if (key === "layers") {
      config.layers = decodeLayers(raw);
      continue;
    }
    if (key === "bias") {
      config.class_fractions = decodeFractions(raw);
      continue;
    }
    const field = FIELDS[key];
    if (!field) continue;
    let value;
    try {
      value = decodeURIComponent(raw);
    } catch {
      continue;
    }
    const [name, kind] = field;
    if (kind === "str") config[name] = value;
    else {
      const n = Number(value);
      if (value === "" || !Number.isFinite(n)) continue;
      config[name] = kind === "int" ? Math.round(n) : n;
    }
  }
  return config;
}
