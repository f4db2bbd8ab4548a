// Biased training data: the URL's bias= field, the run request's class_fractions,
// the Evaluate view's "trained on" tags and the bars renderer drawing them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_CONFIG, encodeConfig, decodeConfig, encodeFractions, decodeFractions } from "../../frontend/static/js/urlconfig.js";
import { fmtKeep, fractionsFor, withFraction, trainedTags } from "../../frontend/static/js/bias.js";
import { buildRunRequest } from "../../frontend/static/js/spec.js";
import { drawBars } from "../../frontend/static/js/render/bars.js";

const MNIST = { name: "mnist", kind: "image", input_shape: [28, 28, 1], num_classes: 10 };

test("bias= round-trips through the URL and is absent when unbiased", () => {
  const cfg = { ...DEFAULT_CONFIG, class_fractions: { 8: 0.01, 3: 0.5 } };
  const hash = encodeConfig(cfg);
  assert.match(hash, /(^|&)bias=3:0\.5,8:0\.01(&|$)/);
  assert.deepEqual(decodeConfig(`#${hash}`).class_fractions, { 3: 0.5, 8: 0.01 });
  assert.equal(encodeConfig({ ...DEFAULT_CONFIG }), "");
  assert.equal(encodeConfig({ ...DEFAULT_CONFIG, class_fractions: { 8: 1 } }), "");
  assert.deepEqual(decodeConfig("#dataset=xor").class_fractions, {});
});

test("malformed bias pairs are dropped, not fatal", () => {
  assert.deepEqual(decodeFractions("8:0.01,x:0.5,2:1.5,3:0,4:,:0.2,05:0.25"), { 8: 0.01, 5: 0.25 });
  assert.deepEqual(decodeConfig("#bias=%%%&seed=2").class_fractions, {});
  assert.equal(decodeConfig("#bias=%%%&seed=2").seed, 2);
  assert.equal(encodeFractions({ 1: NaN, 2: -1 }), "");
});

test("the run request carries class_fractions that fit the dataset", () => {
  const config = { ...DEFAULT_CONFIG, layers: [{ type: "flatten" }, { type: "dense", units: 10 }], class_fractions: { 8: 0.01, 12: 0.5 } };
  assert.deepEqual(buildRunRequest(config, MNIST).dataset_params, { val_split: 0.1, class_fractions: { 8: 0.01 } });
  assert.deepEqual(buildRunRequest({ ...config, class_fractions: {} }, MNIST).dataset_params, { val_split: 0.1 });
  const sin = { name: "sin", kind: "1d", input_shape: [1], num_classes: 0 };
  assert.equal(buildRunRequest(config, sin).dataset_params.class_fractions, undefined);
});

test("slider values, chips and tags", () => {
  assert.equal(fmtKeep(0.01), "1%");
  assert.equal(fmtKeep(0.25), "25%");
  assert.equal(fmtKeep(0.005), "0.5%");
  assert.deepEqual(withFraction({ 8: 0.1 }, 3, 0.5), { 8: 0.1, 3: 0.5 });
  assert.deepEqual(withFraction({ 8: 0.1 }, "8", 1), {});
  assert.deepEqual(fractionsFor({ "-1": 0.5, 1.5: 0.5, 2: 0.3 }, MNIST), { 2: 0.3 });
  assert.deepEqual(trainedTags({ dataset_params: { class_fractions: { 8: 0.01 } } }), { 8: "trained on 1%" });
  assert.deepEqual(trainedTags({ dataset_params: { val_split: 0.1 } }), {});
  assert.deepEqual(trainedTags(null), {});
});

test("bars draw a tag only for tagged classes", () => {
  const texts = [];
  const ctx = new Proxy({ fillText: (t) => texts.push(String(t)), measureText: (t) => ({ width: t.length * 6 }) }, {
    get: (obj, key) => (key in obj ? obj[key] : () => {}),
    set: () => true,
  });
  drawBars(ctx, { values: [0.9, 0.2], tags: { 1: "trained on 1%" } }, { width: 300, height: 60, max: 1 });
  assert.equal(texts.filter((t) => t === "trained on 1%").length, 1);
});
