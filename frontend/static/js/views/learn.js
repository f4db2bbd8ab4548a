/**
 * The Learn tab: small labs that make the course notes' ideas something to
 * see and change. Each lab asks the server (/api/labs/*, computed with the
 * engine) and only draws. Labs load the first time the tab opens and redraw
 * when it is shown again or resized.
 */

import { changed } from "../state.js";
import { mountDifferentiation } from "./labs/differentiation.js";
import { mountPerceptron } from "./labs/perceptron.js";
import { mountSoftmax } from "./labs/softmax.js";
import { mountActivations } from "./labs/activations.js";
import { mountDescent } from "./labs/descent.js";
import { mountLinearStack } from "./labs/linearStack.js";
import { mountVectorize } from "./labs/vectorize.js";
import { mountSeeMath } from "./labs/seeMath.js";
import { mountApproximation } from "./labs/approximation.js";

export function mountLearn({ store, report }) {
  const ctx = { report };
  const labs = [mountDifferentiation, mountPerceptron, mountSoftmax, mountActivations, mountDescent, mountLinearStack, mountVectorize, mountApproximation].map((m) => m(ctx)).concat(mountSeeMath(ctx));
  let loaded = false;

  const show = () => {
    if (!loaded) {
      loaded = true;
      for (const lab of labs) lab.load();
    } else {
      for (const lab of labs) lab.draw();
    }
  };
  store.subscribe((s, prev) => {
    if (!changed(s, prev, "tab")) return;
    if (s.tab === "learn") show();
    else for (const lab of labs) lab.hide?.();
  });
  if (store.get().tab === "learn") show();
  new ResizeObserver(() => store.get().tab === "learn" && labs.forEach((lab) => lab.draw())).observe(document.getElementById("view-learn"));
}
