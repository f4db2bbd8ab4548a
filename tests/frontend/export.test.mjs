// Tests for the export URLs and download names in frontend/static/js/api.js.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, attachmentName } from "../../frontend/static/js/api.js";

test("export URLs carry the format, zip by default", () => {
  assert.equal(api.exportUrl("r_1"), "/api/runs/r_1/export?format=zip");
  assert.equal(api.exportUrl("r_1", "onnx"), "/api/runs/r_1/export?format=onnx");
  assert.equal(api.exportUrl("r_1", "pytorch"), "/api/runs/r_1/export?format=pytorch");
});

test("the server names the downloaded file", () => {
  assert.equal(attachmentName('attachment; filename="run-r_1-pytorch.zip"', "x"), "run-r_1-pytorch.zip");
  assert.equal(attachmentName(null, "export"), "export");
  assert.equal(attachmentName("attachment", "export"), "export");
});
