// Tests for frontend/static/js/urlconfig.js: the configuration in the URL hash.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_CONFIG, encodeConfig, decodeConfig, encodeLayers, decodeLayers } from "../../frontend/static/js/urlconfig.js";

const lenet = [
  { type: "conv2d", filters: 8, kernel_size: 5, stride: 1, padding: "same" },
  { type: "relu" },
  { type: "maxpool2d", pool_size: 2 },
  { type: "flatten" },
  { type: "dense", units: 10, use_bias: false },
];

test("layers round-trip with numbers, strings and booleans typed back", () => {
  const text = encodeLayers(lenet);
  assert.equal(text.split(";")[1], "relu");
  assert.match(text, /^conv2d\(filters:8,kernel_size:5,stride:1,padding:same\)/);
  assert.deepEqual(decodeLayers(text), lenet);
});

test("a full configuration round-trips and defaults are not written", () => {
  const cfg = { ...DEFAULT_CONFIG, dataset: "xor", noise: 0.25, lr: 0.03, optimizer: "sgd", seed: 7, steps: 300, layers: lenet };
  const hash = encodeConfig(cfg);
  assert.ok(!hash.includes("batch="), hash);
  assert.deepEqual(decodeConfig(`#${hash}`), cfg);
});

test("junk in the hash falls back to defaults instead of breaking", () => {
  const cfg = decodeConfig("#lr=abc&batch=&nonsense=1&seed=3&layers=dense(units:4);%%%;relu");
  assert.equal(cfg.lr, DEFAULT_CONFIG.lr);
  assert.equal(cfg.batch_size, DEFAULT_CONFIG.batch_size);
  assert.equal(cfg.seed, 3);
  assert.deepEqual(cfg.layers, [{ type: "dense", units: 4 }, { type: "relu" }]);
  assert.deepEqual(decodeConfig(""), { ...DEFAULT_CONFIG, layers: [] });
});

test("values with separators survive encoding", () => {
  const cfg = { ...DEFAULT_CONFIG, dataset: "upload:3f9a&x", layers: [{ type: "dense", units: 3, kernel_init: "a,b:c;d" }] };
  assert.deepEqual(decodeConfig(encodeConfig(cfg)), cfg);
});
