// Tests for presets.js, spec.js and learn.js: layer lists, specs, errors, captions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { applyPreset, presetsFor } from "../../frontend/static/js/presets.js";
import { buildSpec, buildRunRequest, errorsByLayer, paramFields, coerceParam, moveItem } from "../../frontend/static/js/spec.js";
import { notesForLayers } from "../../frontend/static/js/learn.js";
import { DEFAULT_CONFIG } from "../../frontend/static/js/urlconfig.js";
import "./vocabFixture.mjs";

const mnist = { name: "mnist", kind: "image", input_shape: [28, 28, 1], num_classes: 10 };
const xor = { name: "xor", kind: "2d", input_shape: [2], num_classes: 2 };

test("presets end in one unit per class and CNNs only for images", () => {
  const lenet = applyPreset("lenet", mnist);
  assert.equal(lenet.layers.at(-1).units, 10);
  assert.equal(lenet.layers[0].type, "conv2d");
  assert.ok(!presetsFor(xor).some((p) => p.name === "lenet"));
  assert.equal(applyPreset("mlp", xor).layers.at(-1).units, 2);
  assert.equal(applyPreset("mlp", xor).layers[0].type, "dense");
  assert.equal(applyPreset("perceptron", mnist).layers[0].type, "flatten");
  assert.equal(applyPreset("nope", mnist), null);
  const deep = applyPreset("deep_sigmoid", mnist).layers;
  assert.equal(deep.filter((l) => l.type === "sigmoid").length, 8);
});

test("spec and run request follow the API contract", () => {
  const cfg = { ...DEFAULT_CONFIG, dataset: "xor", init: "he_normal", steps: 200, layers: [{ type: "dense", units: 2 }, { type: "relu" }] };
  const spec = buildSpec(cfg, xor);
  assert.deepEqual(spec.input_shape, [2]);
  assert.equal(spec.layers[0].kernel_init, "he_normal");
  assert.equal(spec.layers[1].kernel_init, undefined);
  const req = buildRunRequest(cfg, xor);
  assert.equal(req.steps, 200);
  assert.equal(req.dataset_params.noise, 0.1);
  assert.equal(buildRunRequest({ ...cfg, steps: 0 }, mnist).steps, null);
  assert.equal(buildRunRequest(cfg, mnist).dataset_params.noise, undefined);
});

test("422 bodies are split per layer", () => {
  const body = { detail: [
    { loc: ["body", "spec", "layers", 3, "kernel_size"], msg: "layer 3 (conv2d): kernel 7 is larger than its 5x5 input" },
    { loc: ["body", "spec", "layers", 1], msg: "layer 1: unknown type" },
    { loc: ["body", "spec", "layers"], msg: "too many parameters" },
  ] };
  const e = errorsByLayer(body);
  assert.deepEqual(e.layers[3], [{ field: "kernel_size", message: body.detail[0].msg }]);
  assert.equal(e.layers[1][0].field, null);
  assert.deepEqual(e.general, ["too many parameters"]);
  assert.deepEqual(errorsByLayer({ detail: "boom" }).general, ["boom"]);
});

test("catalog params become typed form fields", () => {
  const catalog = { conv2d: { params: { filters: { type: "int", required: true }, padding: { type: "str", default: "valid", choices: ["valid", "same"] }, use_bias: { type: "bool", default: true } } } };
  const f = paramFields(catalog, "conv2d");
  assert.deepEqual(f.map((x) => x.kind), ["int", "choice", "bool"]);
  assert.equal(f[0].required, true);
  assert.deepEqual(paramFields(catalog, "nope"), []);
  assert.equal(coerceParam("int", "5"), 5);
  assert.equal(coerceParam("int", ""), undefined);
  assert.equal(coerceParam("bool", "false"), false);
  assert.deepEqual(moveItem([1, 2, 3], 0, 2), [2, 3, 1]);
  assert.deepEqual(moveItem([1, 2, 3], 0, -1), [1, 2, 3]);
});

test("learn captions follow the layers", () => {
  assert.ok(notesForLayers([{ type: "dense", units: 4 }, { type: "dense", units: 2 }]).includes("linear_collapse"));
  assert.ok(!notesForLayers([{ type: "dense", units: 4 }, { type: "relu" }, { type: "dense", units: 2 }]).includes("linear_collapse"));
  const deep = applyPreset("deep_sigmoid", mnist).layers;
  assert.ok(notesForLayers(deep).includes("vanishing"));
  assert.ok(notesForLayers(applyPreset("lenet", mnist).layers).includes("padding"));
});

test("a catalog sent as a list is keyed by type", async () => {
  const { normalizeCatalog } = await import("../../frontend/static/js/spec.js");
  const cat = normalizeCatalog([{ type: "dense", params: [{ name: "units", type: "int", required: true, minimum: 1 }] }]);
  const f = paramFields(cat, "dense");
  assert.equal(f[0].name, "units");
  assert.equal(f[0].min, 1);
});

test("linear pairs: any dense after a dense with no nonlinearity between", async () => {
  const { linearPairs } = await import("../../frontend/static/js/learn.js");
  // the second dense applying its own activation does not undo the collapse of the product
  assert.deepEqual(linearPairs([{ type: "dense", units: 4 }, { type: "dense", units: 4, activation: "relu" }]), [[0, 1]]);
  assert.deepEqual(linearPairs([{ type: "dense", units: 4 }, { type: "dropout" }, { type: "dense", units: 2 }, { type: "dense", units: 2 }]), [[0, 2], [2, 3]]);
  assert.deepEqual(linearPairs([{ type: "dense", units: 4, activation: "tanh" }, { type: "dense", units: 2 }]), []);
  assert.deepEqual(linearPairs([{ type: "dense", units: 4 }, { type: "relu" }, { type: "dense", units: 2 }]), []);
});
