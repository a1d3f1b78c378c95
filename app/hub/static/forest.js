// Forest plots of the safety and review signals: one plot per random-effects meta-analysis row
// (statistic "<signal>-meta") of a query document, on an axis scaled to the data (signals are a
// few percent, so the 0..1 axis of the efficacy plots would squash them). Self-contained:
// drawSignalForests(element, doc) draws into any element from the query document JSON.
"use strict";
const SIGNAL_FORESTS = {
  "safety-signals": ["bp-rise-meta", "lft-3x-uln-meta", "severe-bp-meta", "bladder-positive-meta"],
  "review-intervals": ["dispenses-unreviewed-meta", "patients-unreviewed-meta"],
};
function forestEscape(s) {
  return String(s ?? "").replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));
}
function forestAxisMax(stat) {
  const highs = (stat.studies || []).map((s) => s.ci_high).concat(stat.ci_high == null ? [] : [stat.ci_high]);
  const top = Math.max(0.01, ...highs);
  const step = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1].find((s) => top <= s * 4) || 0.25;
  return Math.min(1, Math.ceil(top / step) * step);
}
function forestSvg(stat) {
  const studies = stat.studies || [];
  const width = 600, rowH = 22, left = 90, right = 170, height = (studies.length + 2) * rowH + 24;
  const axisMax = forestAxisMax(stat);
  const x = (p) => left + Math.min(p, axisMax) / axisMax * (width - left - right);
  const pct = (p) => (100 * p).toFixed(p < 0.1 ? 1 : 0) + "%";
  let svg = `<svg width="${width}" height="${height}" role="img" aria-label="forest plot ${forestEscape(stat.statistic)}">`;
  for (let i = 0; i <= 4; i++) {
    const t = axisMax * i / 4;
    svg += `<line x1="${x(t)}" x2="${x(t)}" y1="10" y2="${height - 18}" stroke="#ddd"/>` +
      `<text x="${x(t)}" y="${height - 4}" font-size="10" text-anchor="middle">${pct(t)}</text>`;
  }
  studies.forEach((s, i) => {
    const y = 20 + i * rowH;
    svg += `<text x="4" y="${y + 4}" font-size="12">${forestEscape(s.country)} (n=${s.n})</text>` +
      `<line x1="${x(s.ci_low)}" x2="${x(s.ci_high)}" y1="${y}" y2="${y}" stroke="#123"/>` +
      `<rect x="${x(s.estimate) - 4}" y="${y - 4}" width="8" height="8" fill="#123"/>` +
      `<text x="${width - right + 8}" y="${y + 4}" font-size="11">${pct(s.estimate)} (${pct(s.ci_low)}–${pct(s.ci_high)})</text>`;
  });
  if (stat.estimate != null) {
    const y = 20 + studies.length * rowH + 6;
    svg += `<text x="4" y="${y + 4}" font-size="12" font-weight="700">pooled</text>` +
      `<polygon points="${x(stat.ci_low)},${y} ${x(stat.estimate)},${y - 6} ${x(stat.ci_high)},${y} ${x(stat.estimate)},${y + 6}" fill="#0969da"/>` +
      `<text x="${width - right + 8}" y="${y + 4}" font-size="11" font-weight="700">${pct(stat.estimate)} (${pct(stat.ci_low)}–${pct(stat.ci_high)})</text>`;
  }
  return svg + "</svg>";
}
function drawSignalForests(element, doc) {
  const wanted = SIGNAL_FORESTS[doc.measure] || [];
  const rows = (doc.statistics || []).filter((s) => wanted.includes(s.statistic) && (s.studies || []).length);
  rows.sort((a, b) => wanted.indexOf(a.statistic) - wanted.indexOf(b.statistic));
  element.innerHTML = rows.map((s) => {
    const heterogeneity = `τ²=${(s.tau2 ?? 0).toFixed(3)}, I²=${((s.i2 ?? 0) * 100).toFixed(0)}%`;
    const left = (s.excluded || []).length ? ` · left out: ${forestEscape(s.excluded.join(", "))}` : "";
    return `<h4>${forestEscape(s.numerator)} / ${forestEscape(s.denominator)}: random effects (DerSimonian–Laird), ${heterogeneity}${left}</h4>` +
      forestSvg(s) + (s.note ? `<p><small>${forestEscape(s.note)}</small></p>` : "");
  }).join("");
  return rows.length;
}
// Hook into the dashboard: after it shows a query, add the scaled signal plots below it.
if (typeof window !== "undefined" && typeof window.show === "function") {
  const showQuery = window.show;
  window.show = async function (id) {
    await showQuery(id);
    const doc = await api("/api/queries/" + id);
    if (!SIGNAL_FORESTS[doc.measure]) return;
    const holder = document.createElement("div");
    holder.id = "signal-forests";
    document.getElementById("result").appendChild(holder);
    drawSignalForests(holder, doc);
  };
}
if (typeof module !== "undefined") module.exports = {drawSignalForests, forestAxisMax};
