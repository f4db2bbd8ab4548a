/**
 * The computation-graph lab's pure parts: where each node sits, the sequence
 * of forward and backward steps, what is known after each step, and the words
 * for one step with its numbers (all from the server's /api/labs/graph answer).
 *
 * A step position p runs from 0 (nothing computed) to steps.length; after p
 * steps, steps[p - 1] is the current one. Forward steps visit the nodes in
 * topological order; backward steps visit those with a gradient in reverse,
 * each one adding up its uses (fan-out) into its gradient.
 */

const NUM = (v) => {
  if (v === null || v === undefined) return "\u2014";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-4) return v.toExponential(3);
  return String(Number(v.toPrecision(5)));
};
export const fmtGraphNum = NUM;
const P = (v) => (v < 0 ? `(${NUM(v)})` : NUM(v));

/** {id: {col, row}}, cols, rows: column = longest path from a leaf, rows in order of appearance. */
export function layout(nodes) {
  const depth = {};
  for (const n of nodes) depth[n.id] = n.inputs.length ? 1 + Math.max(...n.inputs.map((i) => depth[i])) : 0;
  const rowsInCol = {};
  const pos = {};
  for (const n of nodes) {
    const col = depth[n.id];
    rowsInCol[col] = (rowsInCol[col] ?? 0) + 1;
    pos[n.id] = { col, row: rowsInCol[col] - 1 };
  }
  const cols = Math.max(...Object.values(depth)) + 1;
  const rows = Math.max(...Object.values(rowsInCol));
  // Centre short columns vertically so the output sits in the middle.
  for (const n of nodes) pos[n.id].row += (rows - rowsInCol[depth[n.id]]) / 2;
  return { pos, cols, rows };
}

export function steps(nodes) {
  const forward = nodes.map((n) => ({ phase: "forward", id: n.id }));
  const backward = [...nodes].reverse().filter((n) => n.grad !== null).map((n) => ({ phase: "backward", id: n.id }));
  return [...forward, ...backward];
}

/** What the drawing shows after p steps: known values and gradients, and the current step. */
export function stateAt(nodes, p) {
  const seq = steps(nodes);
  const q = Math.max(0, Math.min(p, seq.length));
  const values = new Set();
  const grads = new Set();
  for (const s of seq.slice(0, q)) (s.phase === "forward" ? values : grads).add(s.id);
  return { values, grads, current: q ? seq[q - 1] : null, total: seq.length, p: q };
}

const byId = (nodes) => Object.fromEntries(nodes.map((n) => [n.id, n]));

function forwardText(n, ids) {
  if (n.op === "var") return `${n.id} = ${n.name} = ${NUM(n.value)} (input)`;
  if (n.op === "const") return `${n.id} = ${NUM(n.value)} (constant)`;
  const args = n.inputs.map((i) => P(ids[i].value));
  const names = n.inputs.join(", ");
  // Binary ops carry their symbol as the server's label (+, −, ×, /, **).
  const infix = n.inputs.length === 2 ? n.label : null;
  if (infix) return `${n.id} = ${n.inputs[0]} ${infix} ${n.inputs[1]} = ${args[0]} ${infix} ${args[1]} = ${NUM(n.value)}`;
  if (n.op === "neg") return `${n.id} = \u2212${names} = \u2212(${NUM(ids[names].value)}) = ${NUM(n.value)}`;
  return `${n.id} = ${n.op}(${names}) = ${n.op}(${NUM(ids[names].value)}) = ${NUM(n.value)}`;
}

/** "from n1 (slot 0): 1 × 3 = 3" for each use; the seed for the output. */
export function partTexts(n) {
  return n.grad_parts.map((p) => (p.node === null
    ? "seed \u2202out/\u2202out = 1"
    : `from ${p.node}${p.slot !== null ? ` (input ${p.slot + 1})` : ""}: ${P(p.upstream)} \u00d7 ${P(p.local)} = ${NUM(p.value)}`));
}

function backwardText(n) {
  const name = n.op === "var" ? `${n.id} (${n.name})` : n.id;
  const parts = partTexts(n);
  if (n.grad_parts.length === 1 && n.grad_parts[0].node === null) return `${name}: gradient ${NUM(n.grad)} (${parts[0]})`;
  const used = n.grad_parts.length > 1 ? `used ${n.grad_parts.length} times, the parts add up (fan-out)` : "one use";
  const sum = n.grad_parts.map((p) => NUM(p.value)).join(" + ");
  return `${name}: ${used}: ${parts.join("; ")}. Gradient = ${sum} = ${NUM(n.grad)}`;
}

/** The words for position p (chain-rule numbers included). */
export function describe(result, p) {
  const st = stateAt(result.nodes, p);
  if (!st.current) return `Start: ${result.nodes.length} nodes. Step to run the forward pass node by node, then the backward pass.`;
  const ids = byId(result.nodes);
  const n = ids[st.current.id];
  if (st.current.phase === "forward") return `Forward: ${forwardText(n, ids)}`;
  return `Backward: ${backwardText(n)}`;
}

/** The notes' cost: forward mode one pass per input, reverse mode one backward pass. */
export function costText(cost) {
  const { inputs: n, nodes: m } = cost;
  const plural = n === 1 ? "input" : "inputs";
  return `N = ${n} ${plural}, M = ${m} nodes. Forward mode: one dual-number pass per input for the whole gradient: `
    + `${n} pass${n === 1 ? "" : "es"} \u00d7 ${m} nodes = ${cost.forward_node_visits} node evaluations, O(N\u00b7M). `
    + `Reverse mode: one forward pass, then one backward pass over the ${m} nodes, whatever N is: O(M), `
    + `but it keeps every node's value for the backward pass (O(M) memory, against O(1) for forward mode).`;
}

/** Two lines: the expression and a caret under the character at `position`. */
export function caretLines(expression, position) {
  const at = Math.max(0, Math.min(position, expression.length));
  return `${expression}\n${" ".repeat(at)}^`;
}
