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
  assert.deepEqual(names(mnist), ["perceptron", "logistic", "mlp", "lenet", "lenet_aa", "fast_cnn", "deep_sigmoid"]);
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

test("the fast CNN preset is examples/fast_cnn.json with the settings of its command", async () => {
  const { readFile } = await import("node:fs/promises");
  const spec = JSON.parse(await readFile(new URL("../../examples/fast_cnn.json", import.meta.url)));
  const readme = await readFile(new URL("../../examples/README.md", import.meta.url), "utf8");
  const setup = presetSetup("fast_cnn", mnist, { ...DEFAULT_CONFIG }, [mnist]);
  const strip = (layers) => layers.map((l) => Object.fromEntries(Object.entries(l).filter(([k]) => k !== "stride" || l.type !== "conv2d")));
  assert.deepEqual(strip(setup.layers), strip(spec.layers));
  const line = readme.split("\n").find((l) => l.startsWith("playground train examples/fast_cnn.json"));
  const flag = (name) => line.split(/\s+/)[line.split(/\s+/).indexOf(name) + 1];
  assert.equal(setup.optimizer, flag("--optimizer"));
  assert.equal(setup.lr, Number(flag("--lr")));
  assert.equal(setup.lr_schedule, flag("--lr-schedule"));
  assert.equal(setup.batch_size, Number(flag("--batch-size")));
  assert.equal(setup.epochs, Number(flag("--epochs")));
});
