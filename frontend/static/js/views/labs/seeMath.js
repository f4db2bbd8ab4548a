/**
 * The "see the math" labs of the Learn tab, mounted together because the
 * pooling lab pools the convolution lab's grid: the computation graph, the
 * convolution explainer, pooling, and shapes and broadcasting.
 */

import { mountCompGraph } from "./compGraph.js";
import { mountConvLab } from "./convLab.js";
import { mountPoolLab } from "./poolLab.js";
import { mountShapesLab } from "./shapesLab.js";

export function mountSeeMath(ctx) {
  const conv = mountConvLab(ctx);
  return [mountCompGraph(ctx), conv, mountPoolLab(ctx, conv), mountShapesLab(ctx)];
}
