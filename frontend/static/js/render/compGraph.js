/**
 * A computation graph: nodes as boxes (op, value, gradient) in columns by
 * depth, edges in data-flow order (left to right). The current step is
 * outlined; during a backward step the edges carrying its gradient parts are
 * drawn thick with their products. Pure drawing: data = {nodes, layout, state}.
 */

import { COLORS } from "./theme.js";

const BOX_W = 104;
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

function arrow(ctx, x0, y0, x1, y1) {
  const a = Math.atan2(y1 - y0, x1 - x0);
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - 8 * Math.cos(a - 0.4), y1 - 8 * Math.sin(a - 0.4));
  ctx.lineTo(x1 - 8 * Math.cos(a + 0.4), y1 - 8 * Math.sin(a + 0.4));
  ctx.closePath();
  ctx.fill();
}

export function drawCompGraph(ctx, data, options) {
  const { nodes, layout, state, format } = data;
  const { width, height } = options;
  ctx.clearRect(0, 0, width, height);
  const at = boxCentres(layout, width, height);
  const byId = Object.fromEntries(nodes.map((n) => [n.id, n]));
  const cur = state.current;
  const curNode = cur ? byId[cur.id] : null;

  // Edges: one per input slot, so x*x draws two arrows from x (bent apart).
  ctx.font = "11px system-ui, sans-serif";
  for (const n of nodes) {
    n.inputs.forEach((src, slot) => {
      const a = at[src];
      const b = at[n.id];
      const twin = n.inputs.filter((i) => i === src).length > 1;
      const bend = twin ? (slot === 0 ? -10 : 10) : 0;
      const part = cur?.phase === "backward" && cur.id === src ? curNode.grad_parts.find((p) => p.node === n.id && p.slot === slot) : null;
      const forwardEdge = cur?.phase === "forward" && cur.id === n.id;
      ctx.strokeStyle = part ? COLORS.val : forwardEdge ? COLORS.train : COLORS.axis;
      ctx.fillStyle = ctx.strokeStyle;
      ctx.lineWidth = part || forwardEdge ? 2.5 : 1.2;
      arrow(ctx, a.x + BOX_W / 2, a.y + bend, b.x - BOX_W / 2 - 1, b.y + bend / 2);
      if (part) {
        const mx = (a.x + BOX_W / 2 + b.x - BOX_W / 2) / 2;
        const my = (a.y + b.y) / 2 + bend - 6;
        const label = `${format(part.upstream)}\u00d7${format(part.local)}=${format(part.value)}`;
        const w = ctx.measureText(label).width + 8;
        ctx.fillStyle = "rgba(255,255,255,0.92)";
        ctx.fillRect(mx - w / 2, my - 8, w, 15);
        ctx.fillStyle = COLORS.val;
        ctx.textAlign = "center";
        ctx.fillText(label, mx, my + 3);
      }
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
}
