/**
 * Short "learn" captions tied to the course notes, and the rules that decide
 * which ones apply to the current model (pure, tested).
 */

export const NOTES = {
  linear_collapse: {
    title: "Stacked linear layers collapse",
    text: "Two dense layers with no activation between them multiply out to one: W2(W1x + b1) + b2 = (W2W1)x + (W2b1 + b2), for column vectors x. The extra layer adds parameters but no power: put an activation (ReLU, tanh) between them.",
  },
  vanishing: {
    title: "Vanishing gradients",
    text: "Sigmoid's slope is at most 1/4 and near 0 far from zero. Backprop multiplies one factor per layer, a weight times a slope, and with sigmoid each is at most |w|/4: with small weights early layers of a deep sigmoid net get tiny gradients. Watch the gradient-norm chart (log scale) fan out.",
  },
  dead_relu: {
    title: "Dead ReLU",
    text: "A ReLU unit whose input is \u2264 0 for every example of the data outputs 0 everywhere and gets 0 gradient, so it never recovers: it is dead. A large learning rate makes this likelier; leaky ReLU keeps a small slope for negatives.",
  },
  padding: {
    title: "SAME vs VALID",
    text: "Output size = (w \u2212 f + 2p)/s + 1. VALID uses p = 0, so each conv shrinks the image; SAME pads so the output keeps the input size when the stride is 1.",
  },
  gap: {
    title: "Per-group accuracy gaps",
    text: "One accuracy number hides who the model fails. Gender Shades reported accuracy per group and the largest gap (up to 34.4%): read the per-class bars, not just the total.",
  },
  false_positives: {
    title: "False positives",
    text: "The notes' face-matching example: 5% false positives sounds small, yet it is 5 of every 100 people who are not in the database matched to a mugshot, and deployed on many faces that is many innocent people. A false-positive rate counts over everyone who is not a match. Counting a match only when the model is confident enough lowers it, and misses more real matches: move the threshold and watch both lines.",
  },
  bias: {
    title: "Who is in the training data",
    text: "Gender Shades: a group the model rarely sees in training is the group it fails. Keep 1% of one class, train, and compare the per-class bars on the Evaluate tab.",
  },
  perceptron: {
    title: "One linear layer",
    text: "One dense layer draws one straight boundary per class: a perceptron's shape, though here it learns by gradient descent on cross-entropy, not by the perceptron rule (see the Learn tab). It cannot separate XOR or a circle: add a hidden layer with an activation.",
  },
  learning_rate: {
    title: "Learning rate",
    text: "Gradient descent steps by lr \u00d7 gradient. Too small: the loss creeps down. Too large: it oscillates or diverges (NaN). You can change it while the run goes.",
  },
  overfit: {
    title: "Train vs validation",
    text: "Validation loss is measured on data the model never trains on. When training loss keeps falling but validation loss rises, the model memorises instead of generalising.",
  },
};

/**
 * [i, j] index pairs of dense layers with no nonlinearity between them (only
 * flatten or dropout, or nothing): W_j(W_i x + b_i) + b_j is one dense layer,
 * whatever activation layer j itself applies afterwards.
 */
export function linearPairs(layers) {
  const pairs = [];
  let open = null; // index of a dense layer whose output no nonlinearity has touched yet
  layers.forEach((l, i) => {
    if (l.type === "dense") {
      if (open !== null) pairs.push([open, i]);
      open = !l.activation || l.activation === "linear" ? i : null;
    } else if (l.type !== "flatten" && l.type !== "dropout") {
      open = null; // an activation, pooling, conv...: not a plain matrix product any more
    }
  });
  return pairs;
}

/** Note keys that apply to a layer list, most specific first. */
export function notesForLayers(layers) {
  const keys = [];
  let sigmoids = 0;
  for (const l of layers) {
    if (l.type === "sigmoid" || l.activation === "sigmoid") sigmoids += 1;
  }
  if (linearPairs(layers).length) keys.push("linear_collapse");
  if (sigmoids >= 3) keys.push("vanishing");
  if (layers.some((l) => l.type === "relu" || l.activation === "relu")) keys.push("dead_relu");
  if (layers.some((l) => l.type === "conv2d")) keys.push("padding");
  if (layers.filter((l) => l.type === "dense").length === 1 && !layers.some((l) => l.type === "conv2d")) keys.push("perceptron");
  return keys;
}
