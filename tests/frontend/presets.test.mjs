// Tests for which presets a dataset offers and what a preset click changes
// (presets.js presetsFor / presetSetup).
import { test } from "node:test";
import assert from "node:assert/strict";
import { presetsFor, presetSetup, trainingFor, dataKind } from "../../frontend/static/js/presets.js";
import { DEFAULT_CONFIG } from "../../frontend/static/js/urlconfig.js";

const circle = { name: "circle", kind: "2d", input_shape: [2], num_classes: 2, train_size: 500 };
const sin = { name: "sin", kind: "1d", input_shape: [1], num_classes: 0, train_size: 500 };
const mnist = { name: "mnist", kind: "image", input_shape: [28, 28, 1], num_classes: 10, train_size: 60000 };
const names = (info) => presetsFor(info).map((p) => p.name);

test("each dataset kind offers only the presets whose names fit it", () => {
  assert.deepEqual(dataKind(sin), "regression");
  assert.deepEqual(names(sin), ["fit1d", "mlp"]);
  assert.equal(presetsFor(sin).find((p) => p.name === "mlp").label, "MLP regression");
  assert.deepEqual(names(circle), ["perceptron", "logistic", "mlp"]);
  assert.equal(presetsFor(circle).find((p) => p.name === "mlp").label, "MLP");
  assert.deepEqual(names(mnist), ["perceptron", "logistic", "mlp", "lenet", "lenet_aa", "deep_sigmoid"]);
});

test("a preset click brings the dataset's training length unless the setup chose one", () => {
  // a link with layers but no length (#dataset=circle&layers=...): the defaults give way
  const fresh = presetSetup("mlp", circle, { ...DEFAULT_CONFIG, dataset: "circle" }, [circle, mnist]);
  assert.equal(fresh.batch_size, trainingFor(circle).batch_size);
  assert.equal(fresh.epochs, trainingFor(circle).epochs);
  assert.equal(fresh.lr, 0.01);
  // back on MNIST, the 2-D set's automatic length goes too
  const back = presetSetup("lenet", mnist, { ...DEFAULT_CONFIG, ...trainingFor(circle) }, [circle, mnist]);
  assert.deepEqual([back.batch_size, back.epochs], [64, 1]);
  // a step count in the link (#...&steps=400&batch=32) fixes the length
  const fixed = presetSetup("mlp", circle, { ...DEFAULT_CONFIG, steps: 400, batch_size: 32 }, [circle]);
  assert.ok(!("steps" in fixed) && !("batch_size" in fixed) && !("epochs" in fixed));
  // an epoch count the user typed stays; the untouched batch size adapts
  const typed = presetSetup("mlp", circle, { ...DEFAULT_CONFIG, epochs: 7 }, [circle]);
  assert.equal(typed.epochs, undefined);
  assert.equal(typed.batch_size, 16);
  // the 1-D fit keeps its own long training
  assert.equal(presetSetup("fit1d", sin, { ...DEFAULT_CONFIG }, [sin]).epochs, 100);
  assert.equal(presetSetup("nope", sin, DEFAULT_CONFIG), null);
});
