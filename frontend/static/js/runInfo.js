/**
 * A run in a few words for the runs table and the compare legend (pure, tested):
 * its architecture ("dense 8 tanh · dense 2") and its key hyperparameters
 * ("adam · lr 0.003 · batch 64 · 300 steps").
 */

import { fmtNum } from "./format.js";

const SHORT = { maxpool2d: "maxpool", avgpool2d: "avgpool", leaky_relu: "leaky ReLU", relu: "ReLU" };

function layerText(l) {
  const act = l.activation && l.activation !== "linear" ? ` ${SHORT[l.activation] || l.activation}` : "";
  if (l.type === "dense") return `dense ${l.units ?? "?"}${act}`;
  if (l.type === "conv2d") {
    const k = Array.isArray(l.kernel_size) ? l.kernel_size.join("\u00d7") : `${l.kernel_size ?? 3}\u00d7${l.kernel_size ?? 3}`;
    return `conv ${l.filters ?? "?"}\u00d7${k}${act}`;
  }
  if (l.type === "dropout") return `dropout ${l.rate ?? 0.5}`;
  // only the changes from x1, x2 are in a spec's features layer
  if (l.type === "features") return `features ${Object.entries(l).filter(([k]) => k !== "type").map(([k, on]) => `${on ? "+" : "\u2212"}${k}`).join(" ")}`;
  return SHORT[l.type] || l.type;
}

/** The layers of a spec, in order, flatten left out (it changes no number). */
export function architecture(spec) {
  const layers = (spec?.layers || []).filter((l) => l.type !== "flatten");
  return layers.length ? layers.map(layerText).join(" \u00b7 ") : "\u2014";
}

/** Optimizer, learning rate (and schedule), batch, length, weight decay when set. */
export function hyperparameters(config) {
  if (!config) return "\u2014";
  const parts = [config.optimizer || "?", `lr ${fmtNum(config.lr)}`];
  if (config.lr_schedule && config.lr_schedule !== "constant") parts.push(`${config.lr_schedule} schedule`);
  parts.push(`batch ${config.batch_size}`);
  parts.push(config.steps ? `${config.steps} steps` : `${config.epochs} epoch${config.epochs === 1 ? "" : "s"}`);
  if (config.weight_decay > 0) parts.push(`L2 ${fmtNum(config.weight_decay)}`);
  return parts.join(" \u00b7 ");
}

/** What a run is called: its name, else its id. */
export const runLabel = (run) => run?.name || run?.id || "";
