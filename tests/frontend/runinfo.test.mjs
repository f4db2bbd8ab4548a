import { test } from "node:test";
import assert from "node:assert/strict";
import { architecture, hyperparameters, runLabel } from "../../frontend/static/js/runInfo.js";

test("architecture names each layer with its size, flatten left out", () => {
  const spec = { layers: [{ type: "conv2d", filters: 8, kernel_size: 5 }, { type: "relu" }, { type: "maxpool2d" }, { type: "flatten" }, { type: "dense", units: 10 }] };
  assert.equal(architecture(spec), "conv 8\u00d75\u00d75 \u00b7 ReLU \u00b7 maxpool \u00b7 dense 10");
  assert.equal(architecture({ layers: [{ type: "dense", units: 32, activation: "relu" }] }), "dense 32 ReLU");
  assert.equal(architecture(null), "\u2014");
});

test("hyperparameters: optimizer, lr, schedule, batch, length, L2", () => {
  assert.equal(hyperparameters({ optimizer: "adam", lr: 0.003, batch_size: 64, steps: 300, epochs: 1 }), "adam \u00b7 lr 0.003 \u00b7 batch 64 \u00b7 300 steps");
  assert.equal(hyperparameters({ optimizer: "sgd", lr: 0.5, lr_schedule: "cosine", batch_size: 16, steps: null, epochs: 3, weight_decay: 0.0001 }), "sgd \u00b7 lr 0.5 \u00b7 cosine schedule \u00b7 batch 16 \u00b7 3 epochs \u00b7 L2 1.00e-4");
  assert.equal(runLabel({ id: "r_1", name: "" }), "r_1");
  assert.equal(runLabel({ id: "r_1", name: "wide" }), "wide");
});
