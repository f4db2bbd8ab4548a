/**
 * Computation-graph lab: type an expression (or pick an example) and its
 * variables' values; the server parses it safely, builds the graph with the
 * engine and returns every node's value, gradient, gradient parts, local
 * derivatives, dual number and numeric derivative. The page steps through
 * the forward pass, then the backward pass, one node at a time.
 */

import { el, fitCanvas } from "../../dom.js";
import { drawCompGraph, graphHeight } from "../../render/compGraph.js";
import { layout, stateAt, describe, costText, caretLines, partTexts, fmtGraphNum as fmt } from "./graphModel.js";
import { labCaller } from "./request.js";

const $ = (id) => document.getElementById(id);

export function mountCompGraph({ report }) {
  let result = null;
  let shape = null;
  let p = 0;
  let timer = null;
  let examples = {};
  let functions = [];
  const values = { x: 3 };

  function varInputs(names) {
    const have = [...$("cg-vars").querySelectorAll("input")].map((i) => i.dataset.name);
    if (have.join() !== names.join()) {
      $("cg-vars").replaceChildren(...names.map((name) => el("label", {}, `${name} =`,
        el("input", { type: "number", step: "0.1", value: String(values[name] ?? 1), "data-name": name, "aria-label": `Value of ${name}`,
          oninput: (e) => { if (e.target.value !== "") { values[name] = Number(e.target.value); call.soon(body()); } } }))));
    }
    const wrt = $("cg-wrt");
    const keep = wrt.value;
    if ([...wrt.options].map((o) => o.value).join() !== names.join()) {
      wrt.replaceChildren(...names.map((n) => el("option", { value: n, text: n })));
      wrt.value = names.includes(keep) ? keep : names[0];
    }
  }

  function body() {
    const expression = $("cg-expr").value;
    return { expression, values: { ...values }, wrt: $("cg-wrt").value || null, h: Number($("cg-h").value) };
  }

  function table() {
    const st = stateAt(result.nodes, p);
    const head = el("tr", {}, ...["node", "op (inputs)", "value", "local \u2202node/\u2202input", "gradient = sum of parts",
      `dual (v, dv/d${result.wrt})`, `numeric, h = ${result.h}`].map((t) => el("th", { text: t })));
    const rows = result.nodes.map((n) => {
      const known = st.values.has(n.id);
      const gknown = st.grads.has(n.id);
      const op = n.op === "var" ? `variable ${n.name}` : n.op === "const" ? "constant" : `${n.op}(${n.inputs.join(", ")})`;
      const grad = n.grad === null ? "no gradient (constant)" : gknown ? `${partTexts(n).join("; ")} \u2192 ${fmt(n.grad)}` : "?";
      return el("tr", { class: st.current?.id === n.id ? "current" : null, "data-node": n.id },
        el("th", { scope: "row", text: n.id }), el("td", { text: op }),
        el("td", { class: "num", text: known ? fmt(n.value) : "?" }),
        el("td", { class: "num", text: n.local.map((v, i) => `${n.inputs[i]}: ${v === null ? "\u2014" : fmt(v)}`).join(", ") }),
        el("td", { class: "num", text: grad }),
        el("td", { class: "num", text: `(${fmt(n.dual[0])}, ${fmt(n.dual[1])})` }),
        el("td", { class: "num", text: fmt(n.numeric) }));
    });
    $("cg-table").replaceChildren(head, ...rows);
  }

  function draw() {
    if (!result) return;
    const st = stateAt(result.nodes, p);
    $("cg-canvas").style.height = `${graphHeight(shape)}px`;
    const fc = fitCanvas($("cg-canvas"));
    if (fc) drawCompGraph(fc.ctx, { nodes: result.nodes, layout: shape, state: st, format: fmt }, fc);
    $("cg-scrub").max = String(st.total);
    $("cg-scrub").value = String(st.p);
    const phase = st.current ? (st.current.phase === "forward" ? "forward pass" : "backward pass") : "not started";
    $("cg-pos").textContent = `step ${st.p} of ${st.total} (${phase})`;
    $("cg-step").textContent = describe(result, p);
    table();
    const grads = result.variables.map((v) => `\u2202f/\u2202${v} = ${fmt(result.gradient[v])}`).join(", ");
    $("cg-summary").textContent = `f = ${fmt(result.value)}. Reverse mode (backward()): ${grads}. `
      + `Forward mode (dual numbers, seeded on ${result.wrt}): ${fmt(result.forward_gradient[result.wrt])}; `
      + `central difference with h = ${result.h}: ${fmt(result.numeric_derivative)}.`;
    $("cg-cost").textContent = costText(result.cost);
  }

  const stop = () => {
    clearInterval(timer);
    timer = null;
    $("cg-play").textContent = "\u25b6 Play";
  };
  const go = (q) => {
    if (!result) return;
    p = Math.max(0, Math.min(q, stateAt(result.nodes, Infinity).total));
    draw();
  };

  const call = labCaller("graph", {
    report,
    onResult: (r) => {
      const same = result && result.expression === r.expression;
      result = r;
      shape = layout(r.nodes);
      functions = r.functions;
      if (!Object.keys(examples).length) {
        // The server names its examples (with their values) in every answer.
        examples = r.examples;
        $("cg-examples").replaceChildren(el("option", { value: "", text: "Examples\u2026" }), ...Object.keys(examples).map((e) => el("option", { value: e, text: e })));
      }
      $("cg-msg").textContent = "";
      $("cg-card").classList.remove("stale");
      $("cg-caret").textContent = "";
      $("cg-caret").hidden = true;
      varInputs(r.variables);
      if (!same) p = 0;
      draw();
    },
    onError: (message, detail) => {
      $("cg-msg").textContent = message;
      // The drawing still shows the last good expression: dim it until the new one parses.
      $("cg-card").classList.add("stale");
      const pos = detail?.[0]?.ctx?.position;
      $("cg-caret").hidden = pos === undefined;
      $("cg-caret").textContent = pos === undefined ? "" : caretLines($("cg-expr").value, pos);
    },
  });

  const fromInput = () => {
    stop();
    // Variables the new expression needs get a value of 1 until the server lists them
    // (the server names its functions in every answer).
    for (const name of $("cg-expr").value.match(/[A-Za-z_]\w*/g) ?? []) {
      if (!functions.includes(name) && !Object.hasOwn(values, name)) values[name] = 1;
    }
    call.soon(body());
  };
  $("cg-expr").addEventListener("input", fromInput);
  $("cg-examples").addEventListener("change", (e) => {
    if (!e.target.value) return;
    $("cg-expr").value = e.target.value;
    Object.assign(values, examples[e.target.value]);
    for (const input of $("cg-vars").querySelectorAll("input")) input.value = String(values[input.dataset.name]);
    e.target.value = "";
    fromInput();
  });
  $("cg-wrt").addEventListener("change", () => call.now(body()));
  $("cg-h").addEventListener("change", () => call.now(body()));
  $("cg-reset").addEventListener("click", () => { stop(); go(0); });
  $("cg-back").addEventListener("click", () => { stop(); go(p - 1); });
  $("cg-next").addEventListener("click", () => { stop(); go(p + 1); });
  $("cg-end").addEventListener("click", () => { stop(); go(Infinity); });
  $("cg-backward").addEventListener("click", () => { stop(); go(result ? result.nodes.length : 0); });
  $("cg-scrub").addEventListener("input", (e) => { stop(); go(Number(e.target.value)); });
  $("cg-play").addEventListener("click", () => {
    if (timer) return stop();
    if (result && p >= stateAt(result.nodes, Infinity).total) go(0);
    $("cg-play").textContent = "\u275a\u275a Pause";
    timer = setInterval(() => {
      if (!result || p >= stateAt(result.nodes, Infinity).total) return stop();
      go(p + 1);
    }, 700);
  });

  const load = () => call.now(body());
  return { load, draw, hide: stop };
}
