/**
 * Confusion matrix: rows are true classes, columns predictions; cells shaded by
 * the share of their row so a rare class's mistakes are as visible as a common one's.
 * drawConfusion(ctx, {matrix, labels}, {width, height})
 */

import { blues, rgb, COLORS } from "./theme.js";

export function drawConfusion(ctx, data, options) {
  const { width, height } = options;
  ctx.clearRect(0, 0, width, height);
  const m = data.matrix || [];
  const k = m.length;
  if (!k) return;
  const pad = 28;
  // capped so a 2x2 matrix does not turn into four posters
  const cell = Math.min((width - pad - 4) / k, (height - pad - 4) / k, 72);
  ctx.font = `${Math.max(8, Math.min(12, cell * 0.32))}px system-ui, sans-serif`;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  for (let r = 0; r < k; r += 1) {
    const total = m[r].reduce((a, b) => a + b, 0) || 1;
    for (let c = 0; c < k; c += 1) {
      const t = m[r][c] / total;
      const x = pad + c * cell;
      const y = pad + r * cell;
      ctx.fillStyle = r === c ? rgb(blues(t)) : t > 0 ? `rgba(210,55,44,${Math.min(1, 0.12 + t * 3)})` : "#fafbfc";
      ctx.fillRect(x, y, cell - 1, cell - 1);
      if (m[r][c] && cell > 14) {
        ctx.fillStyle = r === c && t > 0.5 ? "#fff" : COLORS.text;
        ctx.fillText(String(m[r][c]), x + cell / 2, y + cell / 2);
      }
    }
    ctx.fillStyle = COLORS.muted;
    ctx.fillText(data.labels ? data.labels[r] : String(r), pad / 2, pad + r * cell + cell / 2);
    ctx.fillText(data.labels ? data.labels[r] : String(r), pad + r * cell + cell / 2, pad / 2);
  }
}
