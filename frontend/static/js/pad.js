/**
 * The drawing pad: pointer events (mouse, touch, pen), strokes kept as point
 * lists so undo redraws without the last stroke. Ink is dark on white; the
 * server's MNIST preprocessing inverts, crops and centres it.
 * createPad(canvas, {onChange}) -> {clear, undo, isEmpty, toBlob}
 */

export function createPad(canvas, { onChange }) {
  const ctx = canvas.getContext("2d");
  const strokes = [];
  let current = null;

  const lineWidth = () => canvas.width / 12;
  const pos = (e) => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * canvas.width, ((e.clientY - r.top) / r.height) * canvas.height];
  };

  function paintStroke(points) {
    ctx.strokeStyle = "#111";
    ctx.fillStyle = "#111";
    ctx.lineWidth = lineWidth();
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    if (points.length === 1) {
      ctx.beginPath();
      ctx.arc(points[0][0], points[0][1], lineWidth() / 2, 0, 2 * Math.PI);
      ctx.fill();
      return;
    }
    ctx.beginPath();
    ctx.moveTo(...points[0]);
    for (const p of points.slice(1)) ctx.lineTo(...p);
    ctx.stroke();
  }

  function redraw() {
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    for (const s of strokes) paintStroke(s);
  }

  canvas.addEventListener("pointerdown", (e) => {
    e.preventDefault();
    canvas.setPointerCapture(e.pointerId);
    current = [pos(e)];
    strokes.push(current);
    paintStroke(current);
    onChange("draw");
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!current) return;
    const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
    for (const ev of events.length ? events : [e]) current.push(pos(ev));
    const n = current.length;
    ctx.beginPath();
    ctx.strokeStyle = "#111";
    ctx.lineWidth = lineWidth();
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.moveTo(...current[Math.max(0, n - events.length - 1)]);
    for (const p of current.slice(Math.max(0, n - events.length))) ctx.lineTo(...p);
    ctx.stroke();
    onChange("draw");
  });
  const end = () => {
    if (!current) return;
    current = null;
    onChange("end");
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);

  redraw();
  return {
    clear() {
      strokes.length = 0;
      redraw();
      onChange("clear");
    },
    undo() {
      strokes.pop();
      redraw();
      onChange(strokes.length ? "end" : "clear");
    },
    isEmpty: () => strokes.length === 0,
    toBlob: () => new Promise((resolve) => canvas.toBlob(resolve, "image/png")),
  };
}
