// Tests for vocab.js: the page's lists come from the server's vocabularies.
import { test } from "node:test";
import assert from "node:assert/strict";
import { VOCAB } from "./vocabFixture.mjs";
import { isActive, isTerminal, isWeighted, vocabOptions, vocabularies } from "../../frontend/static/js/vocab.js";

test("run statuses: interrupted has ended, queued/running/paused have not", () => {
  assert.equal(vocabularies(), VOCAB);
  for (const status of VOCAB.run_statuses.all) assert.notEqual(isActive(status), isTerminal(status), status);
  assert.ok(isTerminal("interrupted") && isTerminal("diverged"));
  assert.ok(isActive("paused") && !isTerminal("paused"));
  assert.ok(!isActive(undefined) && !isTerminal(undefined));
});

test("weighted layer types come from the vocabulary", () => {
  assert.ok(isWeighted("dense") && isWeighted("conv2d"));
  assert.ok(!isWeighted("relu") && !isWeighted("maxpool2d"));
});

test("select options: optimizers carry the engine's label, names a label when given", () => {
  const opts = vocabOptions(VOCAB, "optimizers");
  assert.deepEqual(opts.map((o) => o.value), VOCAB.optimizers.map((o) => o.name));
  assert.equal(opts.find((o) => o.value === "sgd").text, "SGD");
  const pads = vocabOptions(VOCAB, "paddings", { same: "SAME (TensorFlow)" });
  assert.deepEqual(pads, VOCAB.paddings.map((p) => ({ value: p, text: p === "same" ? "SAME (TensorFlow)" : p })));
  assert.equal(vocabOptions(VOCAB, "lab_activations").find((o) => o.value === "relu").text, "ReLU");
  assert.deepEqual(vocabOptions(VOCAB, "nope"), []);
});

test("a run has weights once it names a checkpoint, or when it ended well", async () => {
  const { hasWeights } = await import("../../frontend/static/js/views/runControl.js");
  assert.equal(hasWeights(null), false);
  assert.equal(hasWeights({ status: "running", checkpoint: null }), false);
  assert.equal(hasWeights({ status: "running", checkpoint: { step: 10 } }), true);
  assert.equal(hasWeights({ status: "finished" }), true);
  assert.equal(hasWeights({ status: "diverged" }), true);
  assert.equal(hasWeights({ status: "failed" }), false);
  // interrupted before its first checkpoint: resuming starts over, there is nothing to inspect
  assert.equal(hasWeights({ status: "interrupted", checkpoint: null }), false);
  assert.equal(hasWeights({ status: "interrupted", checkpoint: { step: 40 } }), true);
});
