// A request aborted while its body is read is an AbortError, never a null answer
// (the Draw view's "Cannot read properties of null (reading 'probabilities')").
import { test } from "node:test";
import assert from "node:assert/strict";
import { api } from "../../frontend/static/js/api.js";

test("abort during the body read rejects with AbortError", async () => {
  const controller = new AbortController();
  globalThis.fetch = async () => ({
    ok: true,
    status: 200,
    headers: new Headers({ "content-type": "application/json" }),
    json: () => {
      controller.abort();
      return Promise.reject(new DOMException("aborted", "AbortError"));
    },
  });
  await assert.rejects(api.activationsImage({ kind: "run", id: "r_1" }, new Blob(["x"]), controller.signal), { name: "AbortError" });
});

test("a body that breaks off without an abort is an error in words", async () => {
  globalThis.fetch = async () => ({
    ok: true,
    status: 200,
    headers: new Headers({ "content-type": "text/plain" }),
    text: () => Promise.reject(new TypeError("network error")),
  });
  await assert.rejects(api.health(), /answer broke off/);
});
