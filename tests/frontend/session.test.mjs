// Tests for frontend/static/js/session.js: who may change what, and what a pin asks of the page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mayChange, watchingNote, pinAction, pinText } from "../../frontend/static/js/session.js";

const ann = { id: "s_ann", name: "Ann", role: "student", auth: "tokens" };
const teacher = { id: "teacher", name: "Teacher", role: "teacher", auth: "tokens" };
const annsRun = { id: "r_1", owner: "s_ann", owner_name: "Ann" };
const bobsRun = { id: "r_2", owner: "s_bob", owner_name: "Bob" };

test("owners and the teacher may change a run; others may not", () => {
  assert.equal(mayChange(ann, annsRun), true);
  assert.equal(mayChange(ann, bobsRun), false);
  assert.equal(mayChange(teacher, bobsRun), true);
  // An open server's page has the local teacher session; no session at all is the same.
  assert.equal(mayChange(null, bobsRun), true);
  // Runs from before classroom mode belong to the local user.
  assert.equal(mayChange(ann, { id: "r_0" }), false);
  assert.equal(mayChange({ id: "local", role: "student" }, { id: "r_0" }), true);
  assert.equal(mayChange(ann, null), false);
});

test("the watching note names the owner only for someone else's run", () => {
  assert.equal(watchingNote(ann, annsRun), "");
  assert.match(watchingNote(ann, bobsRun), /watching Bob's run/);
  assert.equal(watchingNote(ann, null), "");
});

test("pins become page actions; unknown tabs do nothing", () => {
  const tabs = ["build", "train", "learn"];
  assert.deepEqual(pinAction({ kind: "run", target: "r_1" }, tabs), { tab: "train", run: "r_1" });
  assert.deepEqual(pinAction({ kind: "tab", target: "learn" }, tabs), { tab: "learn" });
  assert.equal(pinAction({ kind: "tab", target: "secret" }, tabs), null);
  assert.deepEqual(pinAction({ kind: "lab", target: "perc" }, tabs), { tab: "learn", lab: "perc" });
  assert.equal(pinAction(null, tabs), null);
  assert.match(pinText(null), /not presenting/);
  assert.match(pinText({ kind: "lab", target: "perc" }), /Following the teacher: the perc lab/);
});
