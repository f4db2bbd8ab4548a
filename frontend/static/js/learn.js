/**
 * Short "learn" captions tied to the course notes, and the rules that decide
 * which ones apply to the current model (pure, tested).
 */

export const NOTES = {
  linear_collapse: {
    title: "Stacked linear layers collapse",
    text: "Two dense layers with nothing in between multiply out to one matrix: W2(W1x + b1) + b2 = Wx + b. Without an activation the extra layer adds parameters but no power.",
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
  bias: {
    title: "Who is in the training data",
    text: "Gender Shades: a group the model rarely sees in training is the group it fails. Keep 1% of one class, train, and compare the per-class bars on the Evaluate tab.",
  },
  perceptron: {
    title: "Perceptron",
    text: "One linear layer draws one straight boundary per class. It cannot separate XOR or a circle: add a hidden layer with an activation.",
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

const ACTIVATIONS = new Set(["relu", "leaky_relu", "sigmoid", "tanh", "softmax"]);

/** Note keys that apply to a layer list, most specific first. */
export function notesForLayers(layers) {
  const keys = [];
  let lastDenseWithoutActivation = false;
  let collapse = false;
  let sigmoids = 0;
  for (const l of layers) {
    if (l.type === "dense") {
      if (lastDenseWithoutActivation && !l.activation) collapse = true;
      lastDenseWithoutActivation = !l.activation || l.activation === "linear";
    } else if (ACTIVATIONS.has(l.type)) {
      lastDenseWithoutActivation = false;
    }
    if (l.type === "sigmoid" || l.activation === "sigmoid") sigmoids += 1;
  }
  if (collapse) keys.push("linear_collapse");
  if (sigmoids >= 3) keys.push("vanishing");
  if (layers.some((l) => l.type === "relu" || l.activation === "relu")) keys.push("dead_relu");
  if (layers.some((l) => l.type === "conv2d")) keys.push("padding");
  if (layers.filter((l) => l.type === "dense").length === 1 && !layers.some((l) => l.type === "conv2d")) keys.push("perceptron");
  return keys;
}
