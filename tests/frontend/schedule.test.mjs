// The lr schedule travels in the link and in the run request.
import { test } from "node:test";
import assert from "node:assert/strict";

import { DEFAULT_CONFIG, encodeConfig, decodeConfig } from "../../frontend/static/js/urlconfig.js";
import { buildRunRequest } from "../../frontend/static/js/spec.js";

const MNIST = { name: "mnist", kind: "image", input_shape: [28, 28, 1], num_classes: 10 };

test("lr schedule round-trips through the URL and is left out when constant", () => {
  const hash = encodeConfig({ ...DEFAULT_CONFIG, lr_schedule: "cosine" });
  assert.match(hash, /sched=cosine/);
  assert.equal(decodeConfig(`#${hash}`).lr_schedule, "cosine");
  assert.equal(encodeConfig({ ...DEFAULT_CONFIG }), "");
  assert.equal(decodeConfig("#seed=3").lr_schedule, "constant");
});

test("the run request carries the schedule", () => {
  const config = { ...DEFAULT_CONFIG, layers: [{ type: "flatten" }, { type: "dense", units: 10 }] };
  assert.equal(buildRunRequest({ ...config, lr_schedule: "step" }, MNIST).lr_schedule, "step");
  assert.equal(buildRunRequest(config, MNIST).lr_schedule, "constant");
});
