/**
 * Universal approximation, read off a 1-D network (pure, tested): with one
 * hidden layer and one linear output, y(x) = sum_j w2_j h_j(x) + b2, where
 * h_j(x) = sigma(w1_j x + b1_j). contributions(views) returns each unit's
 * term w2_j h_j(x) and their sum, from GET /units (or a snapshot's `units`).
 */

/** {x, parts: [{unit, values}], bias, sum} or {reason} when the network is not of that shape. */
export function contributions(views) {
  if (!views || views.kind !== "1d") return { reason: "needs a model with one input" };
  if (views.layers.length !== 1) return { reason: `needs exactly one hidden layer; this model has ${views.layers.length}` };
  const layer = views.layers[0];
  if (layer.shown < layer.total) return { reason: `the server sends ${layer.shown} of ${layer.total} units` };
  const w = views.readout?.weights;
  if (!w || w[0]?.length !== 1) return { reason: "needs one output" };
  const bias = views.readout.bias?.[0] ?? 0;
  const parts = layer.units.map((u, j) => ({ unit: u.unit, weight: w[j][0], values: u.values.map((h) => w[j][0] * h) }));
  const sum = views.x.map((_, i) => parts.reduce((acc, p) => acc + p.values[i], bias));
  return { x: views.x, parts, bias, sum };
}
