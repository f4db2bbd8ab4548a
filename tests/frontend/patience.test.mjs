// Heavy inspections answer 429 + Retry-After when the server's slots are
// busy (issue 13): api.js waits and asks again a few times instead of failing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, patiently } from "../../frontend/static/js/api.js";

function answers(...replies) {
  const seen = [];
  globalThis.fetch = async (path) => {
    seen.push(path);
    const [status, body, retry] = replies.shift();
    const headers = new Map([["content-type", "application/json"], ["retry-after", retry ?? null]]);
    return { status, ok: status < 400, headers: { get: (k) => headers.get(k) ?? null }, json: async () => body };
  };
  return seen;
}

test("an evaluation that meets busy slots is asked again after Retry-After", async () => {
  const seen = answers([429, { detail: "busy (max_inspections)" }, "2"], [200, { accuracy: 0.9 }]);
  const waits = [];
  const got = await patiently(() => api.run("r_1"), { sleep: async (s) => waits.push(s) });
  assert.deepEqual(got, { accuracy: 0.9 });
  assert.deepEqual(waits, [2]);
  assert.equal(seen.length, 2);
});

test("other errors, a missing Retry-After and the last try are thrown", async () => {
  answers([404, { detail: "run 'x' not found" }]);
  await assert.rejects(patiently(() => api.run("x"), { sleep: async () => {} }), (e) => e.status === 404);
  answers([429, { detail: "busy" }]);
  await assert.rejects(patiently(() => api.run("x"), { sleep: async () => {} }), (e) => e.status === 429);
  answers([429, { detail: "busy" }, "1"], [429, { detail: "busy" }, "1"]);
  await assert.rejects(patiently(() => api.run("x"), { tries: 2, sleep: async () => {} }), (e) => e.status === 429 && e.retryAfter === 1);
});
