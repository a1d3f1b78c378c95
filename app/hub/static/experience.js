"use strict";
// Patients' voices on the dashboard: a stacked bar per country of a PREM item's answers.
// drawAnswerDistribution(element, doc) is self-contained: it reads only the query document JSON
// (GET /api/queries/{id}) and draws into the element it is given. A count that disclosure
// control masked or bounded is drawn at the middle of its interval, hatched, with the interval
// in its tooltip; exact counts are drawn solid.
(function () {
  const LIKERT = ["1", "2", "3", "4", "5"];
  const CONTINUE = ["yes", "unsure", "no"];
  const PALETTE = ["#b42318", "#e8825a", "#d0d7de", "#7fb2e5", "#0969da", "#1a7f37", "#9a6700",
    "#6e40c9", "#57606a", "#bf3989", "#0a3069", "#116329"];
  const text = (s) => String(s).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));

  function answerOrder(values) {
    const known = [...LIKERT, ...CONTINUE].filter((v) => values.includes(v));
    return [...known, ...values.filter((v) => !known.includes(v)).sort()];
  }

  function drawAnswerDistribution(element, doc) {
    const rows = doc.rows.filter((r) => r.population === "respondents" && r.stratifier === "answer");
    if (!rows.length) { element.innerHTML = ""; return; }
    const countries = [...new Set(rows.map((r) => r.country))];
    const answers = answerOrder([...new Set(rows.map((r) => r.stratum))]);
    const value = (r) => (r.count != null ? r.count : (r.lower + (r.upper ?? r.lower)) / 2);
    const width = 620, rowH = 26, left = 60, right = 20, top = 30;
    const height = top + countries.length * rowH + 50;
    const barW = width - left - right;
    let svg = `<svg width="${width}" height="${height}" role="img" aria-label="answer distribution per country">`;
    svg += '<defs><pattern id="xp-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff" fill-opacity="0.35"/><line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="2"/></pattern></defs>';
    countries.forEach((country, i) => {
      const mine = rows.filter((r) => r.country === country);
      const total = mine.reduce((sum, r) => sum + value(r), 0);
      const y = top + i * rowH;
      svg += `<text x="4" y="${y + 15}" font-size="12"${country === "ALL" ? ' font-weight="700"' : ""}>${text(country)}</text>`;
      let x = left;
      answers.forEach((answer, k) => {
        const r = mine.find((m) => m.stratum === answer);
        if (!r || total <= 0) return;
        const w = (value(r) / total) * barW;
        const exact = r.status === "exact" || r.status === "perturbed";
        const label = `${country} ${answer}: ${r.count != null ? r.count : "[" + r.lower + "–" + (r.upper ?? "?") + "]"} (${(100 * value(r) / total).toFixed(0)}%)`;
        svg += `<rect x="${x}" y="${y}" width="${Math.max(0, w)}" height="${rowH - 6}" fill="${PALETTE[k % PALETTE.length]}"><title>${text(label)}</title></rect>`;
        if (!exact) svg += `<rect x="${x}" y="${y}" width="${Math.max(0, w)}" height="${rowH - 6}" fill="url(#xp-hatch)"><title>${text(label)}</title></rect>`;
        x += w;
      });
    });
    const legendY = top + countries.length * rowH + 18;
    answers.forEach((answer, k) => {
      const x = left + k * 70;
      svg += `<rect x="${x}" y="${legendY - 9}" width="10" height="10" fill="${PALETTE[k % PALETTE.length]}"/><text x="${x + 14}" y="${legendY}" font-size="11">${text(answer)}</text>`;
    });
    const item = doc.parameters && doc.parameters.item ? ` — ${doc.parameters.item}` : "";
    element.innerHTML = `<h4>answer distribution per country${text(item)}</h4>` + svg + "</svg>" +
      "<small>hatched: masked or bounded counts, drawn at the middle of their interval</small>";
  }
  window.drawAnswerDistribution = drawAnswerDistribution;

  // Hook: after the dashboard shows a patient-experience query, add the plot below it.
  const result = document.getElementById("result");
  if (!result || typeof MutationObserver === "undefined") return;
  new MutationObserver(async () => {
    if (typeof shown === "undefined" || !shown || result.querySelector("#experience-plot")) return;
    const id = shown;
    const doc = await api("/api/queries/" + id);
    if (doc.measure !== "patient-experience" || shown !== id || result.querySelector("#experience-plot")) return;
    const plot = document.createElement("div");
    plot.id = "experience-plot";
    result.appendChild(plot);
    drawAnswerDistribution(plot, doc);
  }).observe(result, {childList: true});
})();
