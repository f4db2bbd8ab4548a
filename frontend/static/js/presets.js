/**
 * Model presets from the course notes, as layer lists for the current dataset
 * (pure, tested). A preset only chooses layers and suggested hyperparameters;
 * the final dense layer always has one unit per class of the chosen dataset.
 */

const isImage = (info) => Array.isArray(info?.input_shape) && info.input_shape.length === 3;
const isCurve = (info) => info?.kind === "1d";
// Regression sets (num_classes 0) end in one linear unit; "perceptron" or
// "logistic regression" would be the wrong names for them.
const isRegression = (info) => info?.num_classes === 0 || isCurve(info);

/** "image", "regression" or "vector" (2-D points and other class-labelled vectors). */
export function dataKind(info) {
  if (isImage(info)) return "image";
  return isRegression(info) ? "regression" : "vector";
}

// The keys of a preset's `hyper` that set the training length, not the optimizer.
const LENGTH_KEYS = ["batch_size", "epochs", "steps"];

// The LeNet-like feature extractor (two conv-ReLU-pool stages, then flatten)
// that the LeNet and Fast CNN presets both start with; fresh objects each call.
const lenetFeatures = () => [
  { type: "conv2d", filters: 8, kernel_size: 5, stride: 1, padding: "same" },
  { type: "relu" },
  { type: "maxpool2d", pool_size: 2 },
  { type: "conv2d", filters: 16, kernel_size: 5, stride: 1, padding: "same" },
  { type: "relu" },
  { type: "maxpool2d", pool_size: 2 },
  { type: "flatten" },
];

export const PRESETS = {
  fit1d: {
    label: "1-D fit",
    // Universal approximation: one hidden layer of tanh units, trained long
    // enough that the curve settles; change `units` and train again.
    layers: (k) => [{ type: "dense", units: 16 }, { type: "tanh" }, { type: "dense", units: k }],
    hyper: { optimizer: "adam", lr: 0.02, batch_size: 16, epochs: 100, steps: 0 },
    kinds: ["regression"],
    curveOnly: true,
  },
  perceptron: {
    // The perceptron's shape (one linear layer from w = 0), but trained like every
    // run here, by gradient descent on cross-entropy: not the perceptron rule
    // (that is the Learn tab's lab), so the label does not claim it.
    label: "Linear, w = 0",
    title: "One dense layer starting from zero weights, the perceptron's shape, trained by SGD on cross-entropy (not the perceptron rule: see the Learn tab)",
    layers: (k, info) => [...(isImage(info) ? [{ type: "flatten" }] : []), { type: "dense", units: k, kernel_init: "zeros" }],
    hyper: { optimizer: "sgd", lr: 0.1 },
    kinds: ["vector", "image"],
  },
  logistic: {
    label: "Logistic regression",
    layers: (k, info) => [...(isImage(info) ? [{ type: "flatten" }] : []), { type: "dense", units: k }],
    hyper: { optimizer: "sgd", lr: 0.1 },
    kinds: ["vector", "image"],
  },
  mlp: {
    label: "MLP",
    kinds: ["regression", "vector", "image"],
    // On a regression set the same stack ends in one linear unit.
    regressionLabel: "MLP regression",
    layers: (k, info) =>
      isImage(info)
        ? [{ type: "flatten" }, { type: "dense", units: 256 }, { type: "relu" }, { type: "dense", units: 128 }, { type: "relu" }, { type: "dense", units: k }]
        : [{ type: "dense", units: 8 }, { type: "relu" }, { type: "dense", units: 8 }, { type: "relu" }, { type: "dense", units: k }],
    hyper: { optimizer: "adam", lr: 0.001 },
    // A few hundred points and a few hundred weights: a larger step settles the spiral in ~3000 steps.
    small: { lr: 0.01 },
  },
  lenet: {
    label: "LeNet-like CNN",
    layers: (k) => [...lenetFeatures(), { type: "dense", units: k }],
    hyper: { optimizer: "adam", lr: 0.001 },
    kinds: ["image"],
  },
  lenet_aa: {
    // The notes' suggestion for shifts: blur before subsampling (antialiasing) in each pooling step.
    label: "CNN, antialiased pooling",
    title: "The LeNet-like CNN with each max pool blurred before subsampling (BlurPool): compare its shift sweep on the Draw tab",
    layers: (k) => PRESETS.lenet.layers(k).map((l) => (l.type === "maxpool2d" ? { ...l, antialias: true } : l)),
    hyper: { optimizer: "adam", lr: 0.001 },
    kinds: ["image"],
  },
  fast_cnn: {
    label: "Fast CNN (99% on MNIST)",
    // examples/fast_cnn.json: the LeNet-like CNN plus a 128-unit layer, 4 epochs
    // of Adam with a cosine schedule; benchmarks.engine measures its accuracy and time.
    layers: (k) => [
      ...lenetFeatures(),
      { type: "dense", units: 128 },
      { type: "relu" },
      { type: "dense", units: k },
    ],
    hyper: { optimizer: "adam", lr: 0.002, lr_schedule: "cosine", batch_size: 64, epochs: 4 },
    kinds: ["image"],
  },
  deep_sigmoid: {
    label: "Deep sigmoid net",
    // Eight sigmoid layers: the gradient-norm chart shows early layers learning ~nothing.
    layers: (k, info) => {
      const width = isImage(info) ? 64 : 8;
      const hidden = [];
      for (let i = 0; i < 8; i += 1) hidden.push({ type: "dense", units: width, kernel_init: "normal", init_stddev: 0.5 }, { type: "sigmoid" });
      return [...(isImage(info) ? [{ type: "flatten" }] : []), ...hidden, { type: "dense", units: k }];
    },
    hyper: { optimizer: "sgd", lr: 0.1 },
    kinds: ["image"],
  },
};

/**
 * The presets that fit this dataset's kind: a CNN and the deep sigmoid net need
 * images, a perceptron or logistic regression needs classes, the 1-D fit a curve.
 */
export function presetsFor(info) {
  const kind = dataKind(info);
  return Object.entries(PRESETS)
    .filter(([, p]) => p.kinds.includes(kind) && (!p.curveOnly || isCurve(info)))
    .map(([name, p]) => ({ name, label: (kind === "regression" && p.regressionLabel) || p.label, title: p.title }));
}

/** {layers, optimizer, lr} for a preset and dataset; null for an unknown name. */
export function applyPreset(name, info) {
  const p = PRESETS[name];
  if (!p) return null;
  // Regression sets (num_classes 0) end in one linear unit.
  const k = info?.num_classes === 0 ? 1 : Math.max(2, info?.num_classes || 10);
  return { layers: p.layers(k, info), ...p.hyper, ...(isImage(info) ? {} : p.small) };
}

/**
 * How long to train on a dataset: one epoch of 60 000 images is plenty, but one
 * epoch of a 500-point 2-D set is 8 steps and learns nothing, so small sets get
 * many epochs of small batches (about 3000 steps, at most 100 epochs).
 */
export function trainingFor(info) {
  if (!info || isImage(info)) return { batch_size: 64, epochs: 1, steps: 0 };
  const n = Math.max(1, info?.train_size || 500);
  return { batch_size: 16, epochs: Math.max(1, Math.min(100, Math.floor(50000 / n))), steps: 0 };
}

/**
 * What a preset click changes: the preset's layers, optimizer and lr, plus the
 * dataset's training length (the preset's own, else trainingFor) for each of
 * batch size and epochs that still holds an automatic value (the default or
 * what some dataset starts with). A value the link or the user set wins, and a
 * step count (steps > 0) fixes the whole length.
 */
export function presetSetup(name, info, config = {}, datasets = []) {
  const preset = applyPreset(name, info);
  if (!preset) return null;
  const chosen = {};
  for (const key of Object.keys(preset)) if (!LENGTH_KEYS.includes(key)) chosen[key] = preset[key];
  if (config.steps > 0) return chosen;
  const wanted = { ...trainingFor(info), ...Object.fromEntries(LENGTH_KEYS.filter((k) => k in preset).map((k) => [k, preset[k]])) };
  const automatic = [undefined, ...datasets, info].map((d) => trainingFor(d));
  for (const p of Object.values(PRESETS)) automatic.push(p.hyper);
  for (const key of LENGTH_KEYS) {
    if (automatic.some((a) => a[key] === config[key]) || config[key] === undefined) chosen[key] = wanted[key];
  }
  return chosen;
}

/** A fresh setup for a dataset: its default preset with its training length. */
export function setupFor(info) {
  return { ...trainingFor(info), ...applyPreset(defaultPreset(info), info) };
}

/** The preset a dataset starts with: a CNN for images, a 1-D fit for curves, else an MLP. */
export function defaultPreset(info) {
  if (isImage(info)) return "lenet";
  return isCurve(info) ? "fit1d" : "mlp";
}

export { isImage };
