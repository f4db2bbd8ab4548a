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
