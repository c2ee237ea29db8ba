// Small hand-written canvas charts: a time-series line chart and a histogram.
// No library and no network: the dashboard must work on an isolated operations network.
"use strict";

const PALETTE = ["#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92", "#b58840", "#28a197",
                 "#6f72af"];

function setupCanvas(canvas) {
  // Draw at device resolution so lines stay sharp on high-DPI screens.
  const ratio = window.devicePixelRatio || 1;
  const cssWidth = canvas.clientWidth || canvas.width;
  const cssHeight = canvas.height / (canvas.dataset.ratio || 1);
  canvas.dataset.ratio = ratio;
  canvas.style.height = cssHeight + "px";
  canvas.width = Math.round(cssWidth * ratio);
  canvas.height = Math.round(cssHeight * ratio);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, cssWidth, cssHeight);
  ctx.font = "12px system-ui, sans-serif";
  return { ctx, w: cssWidth, h: cssHeight };
}

function niceMax(value) {
  if (value <= 0) return 1;
  const mag = Math.pow(10, Math.floor(Math.log10(value)));
  for (const step of [1, 2, 5, 10]) {
    if (value <= step * mag) return step * mag;
  }
  return 10 * mag;
}

function formatNumber(v) {
  if (v >= 1e6) return (v / 1e6).toFixed(1) + "M";
  if (v >= 1e3) return (v / 1e3).toFixed(1) + "k";
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

// series: [{name, points: [[epochSeconds, value], ...]}]
function lineChart(canvas, series, emptyText) {
  const { ctx, w, h } = setupCanvas(canvas);
  const pad = { l: 48, r: 12, t: 10, b: 40 };
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) {
    ctx.fillStyle = "#505a5f";
    ctx.fillText(emptyText || "waiting for data…", pad.l, h / 2);
    return;
  }
  const tMax = Math.max(...all.map((p) => p[0]));
  const tMin = Math.min(tMax - 60, ...all.map((p) => p[0]));
  const yMax = niceMax(Math.max(...all.map((p) => p[1])));
  const x = (t) => pad.l + ((t - tMin) / (tMax - tMin || 1)) * (w - pad.l - pad.r);
  const y = (v) => h - pad.b - (v / yMax) * (h - pad.t - pad.b);
  ctx.strokeStyle = "#b1b4b6";
  ctx.fillStyle = "#505a5f";
  ctx.lineWidth = 1;
  for (const frac of [0, 0.5, 1]) {
    const yy = y(yMax * frac);
    ctx.beginPath(); ctx.moveTo(pad.l, yy); ctx.lineTo(w - pad.r, yy); ctx.stroke();
    ctx.fillText(formatNumber(yMax * frac), 4, yy + 4);
  }
  const span = tMax - tMin;
  ctx.fillText("-" + Math.round(span) + " s", pad.l, h - pad.b + 14);
  ctx.fillText("now", w - pad.r - 24, h - pad.b + 14);
  let legendX = pad.l;
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    s.points.forEach((p, j) => (j ? ctx.lineTo(x(p[0]), y(p[1])) : ctx.moveTo(x(p[0]), y(p[1]))));
    ctx.stroke();
    ctx.fillStyle = color;
    ctx.fillRect(legendX, h - 14, 10, 10);
    ctx.fillStyle = "#0b0c0c";
    ctx.fillText(s.name, legendX + 14, h - 5);
    legendX += ctx.measureText(s.name).width + 30;
  });
}

function histogram(canvas, edges, counts) {
  const { ctx, w, h } = setupCanvas(canvas);
  const pad = { l: 40, r: 10, t: 10, b: 24 };
  const max = niceMax(Math.max(0, ...counts));
  const bw = (w - pad.l - pad.r) / Math.max(1, counts.length);
  ctx.fillStyle = "#505a5f";
  ctx.fillText(formatNumber(max), 4, pad.t + 8);
  ctx.fillText("0", 4, h - pad.b);
  counts.forEach((c, i) => {
    const bh = (c / max) * (h - pad.t - pad.b);
    ctx.fillStyle = "#1d70b8";
    ctx.fillRect(pad.l + i * bw + 1, h - pad.b - bh, bw - 2, bh);
  });
  ctx.fillStyle = "#505a5f";
  const n = edges.length - 1;
  for (let i = 0; i <= n; i += Math.max(1, Math.floor(n / 4))) {
    ctx.fillText(String(edges[i]), pad.l + i * bw - 6, h - 6);
  }
}

window.JobmatchCharts = { lineChart, histogram };
