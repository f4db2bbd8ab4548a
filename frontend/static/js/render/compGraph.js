/**
 * A computation graph: nodes as boxes (op, value, gradient) in columns by
 * depth, edges in data-flow order (left to right). The current step is
 * outlined; during a backward step the edges carrying its gradient parts are
 * drawn thick with their products. Pure drawing: data = {nodes, layout, state}.
 */

import { COLORS } from "./theme.js";

const BOX_W = 104;
const wrap = (t) => (t.startsWith("-") ? `(${t})` : t);
const BOX_H = 50;

/** Box centres in CSS pixels for a layout within width x height. */
export function boxCentres(layout, width, height) {
  const colGap = layout.cols > 1 ? (width - BOX_W - 20) / (layout.cols - 1) : 0;
  const rowGap = layout.rows > 1 ? Math.min(BOX_H + 40, (height - BOX_H - 20) / (layout.rows - 1)) : 0;
  const top = (height - (layout.rows - 1) * rowGap) / 2;
  const out = {};
  for (const [id, p] of Object.entries(layout.pos)) {
    out[id] = { x: 10 + BOX_W / 2 + p.col * colGap, y: top + p.row * rowGap };
  }
  return out;
}

/** A quadratic curve from p0 to p2 bent through control point c, with an arrow head at p2. */
function curve(ctx, p0, c, p2) {
  ctx.beginPath();
  ctx.moveTo(p0.x, p0.y);
  ctx.quadraticCurveTo(c.x, c.y, p2.x, p2.y);
  ctx.stroke();
  const a = Math.atan2(p2.y - c.y, p2.x - c.x);
  ctx.beginPath();
  ctx.moveTo(p2.x, p2.y);
  ctx.lineTo(p2.x - 8 * Math.cos(a - 0.4), p2.y - 8 * Math.sin(a - 0.4));
  ctx.lineTo(p2.x - 8 * Math.cos(a + 0.4), p2.y - 8 * Math.sin(a + 0.4));
  ctx.closePath();
  ctx.fill();
}

/** Canvas height that fits a layout's rows (the view sets it before drawing). */
export const graphHeight = (layout) => Math.max(200, layout.rows * (BOX_H + 40) + 80);

export function drawCompGraph(ctx, data, options) {
  const { nodes, layout, state, format } = data;
  const { width, height } = options;
  ctx.clearRect(0, 0, width, height);
  const at = boxCentres(layout, width, height);
  const byId = Object.fromEntries(nodes.map((n) => [n.id, n]));
  const cur = state.current;
  const curNode = cur ? byId[cur.id] : null;

  const labels = [];
  // Edges: one per input slot, so x*x draws two arrows from x (bent apart).
  ctx.font = "11px system-ui, sans-serif";
  for (const n of nodes) {
    n.inputs.forEach((src, slot) => {
      const a = at[src];
      const b = at[n.id];
      const twin = n.inputs.filter((i) => i === src).length > 1;
      // An edge that skips columns arcs over the boxes between; the two edges of x*x bend apart.
      const span = layout.pos[n.id].col - layout.pos[src].col;
      // Bend away from the boxes between: down when the source sits lower, else up.
      const dir = a.y > b.y ? 1 : -1;
      const lift = (span > 1 ? dir * Math.min(60, 30 * (span - 1)) : 0) + (twin ? (slot === 0 ? -14 : 14) : 0);
      const p0 = { x: a.x + BOX_W / 2, y: a.y + (twin ? (slot === 0 ? -6 : 6) : 0) };
      const p2 = { x: b.x - BOX_W / 2 - 1, y: b.y + (twin ? (slot === 0 ? -6 : 6) : 0) + (span > 1 ? dir * 8 : 0) };
      const c = { x: (p0.x + p2.x) / 2, y: (p0.y + p2.y) / 2 + lift * 2 };
      const part = cur?.phase === "backward" && cur.id === src ? curNode.grad_parts.find((p) => p.node === n.id && p.slot === slot) : null;
      const forwardEdge = cur?.phase === "forward" && cur.id === n.id;
      ctx.strokeStyle = part ? COLORS.val : forwardEdge ? COLORS.train : COLORS.axis;
      ctx.fillStyle = ctx.strokeStyle;
      ctx.lineWidth = part || forwardEdge ? 2.5 : 1.2;
      curve(ctx, p0, c, p2);
      if (part) labels.push({ text: `${wrap(format(part.upstream))}\u00d7${wrap(format(part.local))}=${format(part.value)}`, x: (p0.x + 2 * c.x + p2.x) / 4, y: (p0.y + 2 * c.y + p2.y) / 4 });
    });
  }

  for (const n of nodes) {
    const { x, y } = at[n.id];
    const isCur = cur && cur.id === n.id;
    ctx.lineWidth = isCur ? 3 : 1;
    ctx.strokeStyle = isCur ? (cur.phase === "forward" ? COLORS.train : COLORS.val) : "#c9d1db";
    ctx.fillStyle = n.op === "var" ? "#e6f1f9" : n.op === "const" ? "#f4f6f9" : "#fff";
    ctx.beginPath();
    ctx.roundRect(x - BOX_W / 2, y - BOX_H / 2, BOX_W, BOX_H, 7);
    ctx.fill();
    ctx.stroke();
    ctx.textAlign = "center";
    ctx.fillStyle = COLORS.text;
    ctx.font = "600 12px system-ui, sans-serif";
    ctx.fillText(`${n.id}: ${n.label}`, x, y - 10);
    ctx.font = "11px ui-monospace, monospace";
    ctx.fillStyle = state.values.has(n.id) ? COLORS.text : "#b8c0cc";
    ctx.fillText(`v ${state.values.has(n.id) ? format(n.value) : "?"}`, x, y + 5);
    ctx.fillStyle = state.grads.has(n.id) ? COLORS.val : "#b8c0cc";
    const g = n.grad === null ? "none" : state.grads.has(n.id) ? format(n.grad) : "?";
    ctx.fillText(`grad ${g}`, x, y + 19);
  }
  // Products on top of everything, so no box or edge hides them.
  ctx.font = "600 11px system-ui, sans-serif";
  ctx.textAlign = "center";
  for (const l of labels) {
    const w = ctx.measureText(l.text).width + 8;
    ctx.fillStyle = "rgba(255,255,255,0.94)";
    ctx.fillRect(l.x - w / 2, l.y - 8, w, 16);
    ctx.fillStyle = COLORS.val;
    ctx.fillText(l.text, l.x, l.y + 4);
  }
}
