// KetaNet hub dashboard: offline (no CDN, no framework); reads the hub API with the analyst's token.
"use strict";
const $ = (id) => document.getElementById(id);
const EXT = "https://ketanet.org/fhir/StructureDefinition/";
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));

// `#token=…` (printed by `ketanet demo`) is taken once, kept in local storage, removed from the URL
const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
if (fromHash) { localStorage.setItem("ketanet-token", fromHash); history.replaceState(null, "", location.pathname + location.search); }
$("token").value = localStorage.getItem("ketanet-token") || "";
$("token").addEventListener("change", () => { localStorage.setItem("ketanet-token", $("token").value); refresh(); });

class ApiError extends Error {}

// The API's reason, as written: an OperationOutcome's diagnostics (every issue), else the body.
async function reason(response) {
  const text = await response.text();
  try {
    const body = JSON.parse(text);
    if (body.resourceType === "OperationOutcome") return body.issue.map((i) => i.diagnostics || i.code).join("\n");
    if (body.detail) return typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
  } catch (_) { /* not JSON */ }
  return text || response.statusText;
}

async function call(path, options = {}) {
  const headers = Object.assign({"Authorization": "Bearer " + $("token").value}, options.headers || {});
  const response = await fetch(path, Object.assign({}, options, {headers}));
  if (!response.ok) throw new ApiError(`${await reason(response)} (HTTP ${response.status})`);
  return response;
}
const api = async (path, options) => (await call(path, options)).json();

// Downloads carry the token too (a plain link would not): fetch, then save the bytes.
async function download(path, filename) {
  try {
    const blob = await (await call(path)).blob();
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  } catch (error) { showError(error); }
}

function showError(error) { $("msg").innerHTML = `<span class="error">${esc(error.message)}</span>`; }

// ---- the catalogue: pickers built from the published FHIR Measures ----
let catalogue = new Map();
const parts = (ext, name) => (ext.extension || []).filter((e) => e.url === name);
const partValue = (p) => p.valueCode ?? p.valueString ?? p.valueDecimal ?? p.valueInteger ?? p.valueBoolean;

function describe(measure) {
  const filters = (measure.extension || []).filter((e) => e.url === EXT + "measure-filter").map((e) => ({
    key: partValue(parts(e, "key")[0]), values: parts(e, "value").map(partValue)}));
  const parameters = (measure.extension || []).filter((e) => e.url === EXT + "measure-parameter").map((e) => ({
    name: partValue(parts(e, "name")[0]), type: partValue((parts(e, "type")[0]) || {}),
    required: partValue(parts(e, "required")[0] || {}) === true, values: parts(e, "value").map(partValue),
    default: (parts(e, "default")[0] ? partValue(parts(e, "default")[0]) : null),
    description: (parts(e, "description")[0] ? partValue(parts(e, "description")[0]) : "")}));
  const stratifiers = new Map();
  (measure.group || []).forEach((g) => (g.stratifier || []).forEach((s) => stratifiers.set(s.code.text, s.description || "")));
  return {id: measure.id, title: measure.title || measure.id, description: measure.description || "", filters, parameters, stratifiers};
}

function pickers() {
  const m = catalogue.get($("measure").value);
  if (!m) return;
  $("measure-description").textContent = m.description;
  $("stratify").innerHTML = "<legend>Stratify by</legend>" + ([...m.stratifiers].map(([id, text]) =>
    `<label class="check" title="${esc(text)}"><input type="checkbox" name="stratify" value="${esc(id)}">${esc(id)}</label>`).join("") || "<small>none</small>");
  $("filters").innerHTML = "<legend>Filters (none chosen: all)</legend>" + (m.filters.map((f) =>
    `<label for="filter-${esc(f.key)}">${esc(f.key)}</label><select id="filter-${esc(f.key)}" data-filter="${esc(f.key)}" multiple size="${Math.min(f.values.length, 4)}">` +
    f.values.map((v) => `<option>${esc(v)}</option>`).join("") + "</select>").join("") || "<small>none</small>");
  $("parameters").innerHTML = "<legend>Parameters</legend>" + (m.parameters.map((p) => {
    const label = `<label for="param-${esc(p.name)}">${esc(p.name)}${p.required ? " (required)" : ""} <small>${esc(p.description)}</small></label>`;
    if (p.values.length) {
      return label + `<select id="param-${esc(p.name)}" data-param="${esc(p.name)}">${p.required ? "" : '<option value="">(default)</option>'}` +
        p.values.map((v) => `<option${v === p.default ? " selected" : ""}>${esc(v)}</option>`).join("") + "</select>";
    }
    const type = ["decimal", "integer"].includes(p.type) ? "number" : "text";
    return label + `<input id="param-${esc(p.name)}" data-param="${esc(p.name)}" type="${type}" step="any" value="${esc(p.default ?? "")}">`;
  }).join("") || "<small>none</small>");
}
$("measure").addEventListener("change", pickers);

function queryBody() {
  const filters = {};
  document.querySelectorAll("[data-filter]").forEach((select) => {
    const chosen = [...select.selectedOptions].map((o) => o.value);
    if (chosen.length) filters[select.dataset.filter] = chosen;
  });
  const parameters = {};
  document.querySelectorAll("[data-param]").forEach((input) => { if (input.value !== "") parameters[input.dataset.param] = input.value; });
  const stratify = [...document.querySelectorAll("input[name=stratify]:checked")].map((i) => i.value);
  return {measure: $("measure").value, period: {start: $("start").value, end: $("end").value}, stratify, filters, parameters};
}

$("query-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("msg").textContent = "asking every node…";
  try {
    const started = await api("/api/queries", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(queryBody())});
    $("msg").textContent = "query " + started.id + " started";
    await show(started.id);
    history_();
  } catch (error) { showError(error); }
});

// ---- nodes and history ----
async function refresh() {
  try {
    const measures = await api("/api/measures");
    catalogue = new Map(measures.map((m) => [m.id, describe(m)]));
    const chosen = $("measure").value;
    $("measure").innerHTML = measures.map((m) => `<option value="${esc(m.id)}">${esc(m.id)}: ${esc(m.title || "")}</option>`).join("");
    if (chosen && catalogue.has(chosen)) $("measure").value = chosen;
    pickers();
    const nodes = await api("/api/nodes");
    $("nodes").innerHTML = nodes.map((n) => `<div><b>${esc(n.country)}</b> ${esc(n.id)} <span class="${["ok", "pull"].includes(n.health.status) ? "ok" : "bad"}">${esc(n.health.status)}</span><br><small>${n.mode === "pull" ? "outbound only: fetches its tasks" : "data as of " + esc(n.health.data_as_of)}</small></div>`).join("");
    await history_();
  } catch (error) { showError(error); }
}

async function history_() {
  const queries = await api("/api/queries");
  $("queries").innerHTML = queries.map((q) => `<li><button type="button" data-id="${esc(q.id)}">${esc(q.measure)}</button> <small>${esc(q.created_at)} by ${esc(q.asked_by)} · ${esc(q.status)}</small></li>`).join("");
  document.querySelectorAll("#queries button").forEach((b) => b.addEventListener("click", () => show(b.dataset.id)));
  if (queries.length && !shown) show(new URLSearchParams(location.search).get("query") || queries[0].id);
}

// ---- one query document ----
const nodePolicy = (doc) => new Map(doc.nodes.map((n) => [n.country, n.policy]));

function marker(row, policy) {
  if (row.status === "bounded") return "b";
  if (row.lower >= 1) return "s";
  if (policy && policy.mask_zero && row.upper <= policy.min_cell - 1 + (policy.ckm_max || 0)) return "s";
  return "c";
}
const REASONS = {
  exact: "exact count", perturbed: "cell-key perturbed: within a few of the true count", rounded: "rounded",
  noised: "noised (differential privacy); the interval holds the truth with 95% probability",
  s: "withheld small cell: fewer patients than the node's minimum", c: "withheld complementary cell: withheld so that a small cell cannot be recovered by subtraction",
  b: "pooled sum with withheld or inexact parts",
};
function cell(row, policy) {
  const n = (v) => Number(v).toLocaleString("en");
  const interval = `true count in [${n(row.lower)}, ${n(row.upper)}]`;
  let text, why;
  if (row.status === "exact") { text = n(row.count); why = REASONS.exact; }
  else if (row.status === "rounded") { text = "≈" + n(row.count); why = REASONS.rounded; }
  else if (row.status === "noised") { text = "~" + n(row.count); why = REASONS.noised; }
  else if (row.status === "perturbed" && row.count != null) { text = "±" + n(row.count); why = REASONS.perturbed; }
  else { const m = marker(row, policy); text = `<span class="${m}">[${n(row.lower)}–${n(row.upper)}] ${m}</span>`; why = REASONS[m]; }
  return `<td tabindex="0" title="${esc(why + "; " + interval)}" aria-label="${esc(why + "; " + interval)}">${text}</td>`;
}

// strata as rows, countries as columns (ALL last)
function table(rows, key, doc, title) {
  const countries = [...new Set(doc.nodes.filter((n) => n.status === "ok").map((n) => n.country)), "ALL"];
  const policies = nodePolicy(doc);
  const labels = [...new Set(rows.map((r) => String(r[key])))];
  const lookup = new Map(rows.map((r) => [r.country + "\u0000" + r[key], r]));
  let html = `<h4>${esc(title)}</h4><table><thead><tr><th scope="col"></th>${countries.map((c) => `<th scope="col">${esc(c)}</th>`).join("")}</tr></thead><tbody>`;
  for (const label of labels) {
    html += `<tr><th scope="row">${esc(label)}</th>` + countries.map((c) => {
      const r = lookup.get(c + "\u0000" + label);
      return r ? cell(r, policies.get(c)) : '<td title="no records">0</td>';
    }).join("") + "</tr>";
  }
  return html + "</tbody></table>";
}

// a bar per country with its 95% interval (rates per exposure too: events per 1000 administrations)
function bars(stats, title) {
  const shown = stats.filter((s) => s.estimate != null || s.upper_bound != null);
  if (!shown.length) return "";
  const top = Math.max(...shown.map((s) => s.ci_high ?? s.upper_bound ?? s.estimate)) || 1;
  const width = 560, rowH = 24, left = 60, right = 170, height = shown.length * rowH + 30;
  const x = (v) => left + (v / top) * (width - left - right);
  let svg = `<svg width="${width}" height="${height}" role="img" aria-label="${esc(title)}: estimate per country with its 95% interval">`;
  shown.forEach((s, i) => {
    const y = 14 + i * rowH;
    svg += `<text x="4" y="${y + 4}">${esc(s.country)}</text>`;
    if (s.estimate != null) {
      svg += `<rect x="${left}" y="${y - 7}" width="${Math.max(0, x(s.estimate) - left)}" height="14" fill="${s.country === "ALL" ? "#0969da" : "#8ab4e8"}"/>` +
        `<line x1="${x(s.ci_low)}" x2="${x(s.ci_high)}" y1="${y}" y2="${y}" stroke="#123" stroke-width="2"/>` +
        `<text x="${width - right + 8}" y="${y + 4}">${fmt(s.estimate)} (${fmt(s.ci_low)}–${fmt(s.ci_high)})</text>`;
    } else {
      svg += `<rect x="${x(s.lower_bound)}" y="${y - 7}" width="${Math.max(1, x(s.upper_bound) - x(s.lower_bound))}" height="14" fill="none" stroke="#9a6700" stroke-dasharray="3 2"/>` +
        `<text x="${width - right + 8}" y="${y + 4}">in [${fmt(s.lower_bound)}, ${fmt(s.upper_bound)}]: withheld inputs</text>`;
    }
  });
  svg += `<text x="${left}" y="${height - 4}">0</text><text x="${width - right}" y="${height - 4}" text-anchor="end">${fmt(top)}</text>`;
  return `<h4>${esc(title)}</h4>` + svg + "</svg>";
}
const fmt = (v) => (v == null ? "—" : Math.abs(v) < 10 ? v.toFixed(3) : v.toLocaleString("en", {maximumFractionDigits: 1}));

// counts by year (the `year` stratifier): a line per population, ALL countries
function trend(doc) {
  const rows = doc.rows.filter((r) => r.stratifier === "year" && r.country === "ALL");
  if (!rows.length) return "";
  const years = [...new Set(rows.map((r) => r.stratum))].sort();
  const populations = [...new Set(rows.map((r) => r.population))];
  const value = (r) => r.count ?? (r.lower + r.upper) / 2;
  const top = Math.max(...rows.map((r) => r.upper)) || 1;
  const width = 560, height = 200, left = 50, bottom = 24;
  const x = (i) => left + (years.length === 1 ? 0 : (i / (years.length - 1)) * (width - left - 20));
  const y = (v) => height - bottom - (v / top) * (height - bottom - 10);
  const colours = ["#0969da", "#bf3989", "#1a7f37", "#9a6700"];
  let svg = `<svg width="${width}" height="${height}" role="img" aria-label="counts by year, all countries">`;
  years.forEach((yr, i) => { svg += `<text x="${x(i)}" y="${height - 6}" text-anchor="middle">${esc(yr)}</text>`; });
  populations.forEach((p, k) => {
    const points = years.map((yr, i) => { const r = rows.find((row) => row.population === p && row.stratum === yr); return r ? `${x(i)},${y(value(r))}` : null; }).filter(Boolean);
    svg += `<polyline fill="none" stroke="${colours[k % 4]}" stroke-width="2" points="${points.join(" ")}"/><text x="${left + 4}" y="${14 + 14 * k}" fill="${colours[k % 4]}">${esc(p)}</text>`;
  });
  return "<h4>trend by year (ALL)</h4>" + svg + "</svg>";
}

function forest(stat) {
  const studies = stat.studies || [];
  if (!studies.length) return "";
  const width = 560, rowH = 22, left = 90, right = 150, height = (studies.length + 2) * rowH + 20;
  const x = (p) => left + p * (width - left - right);
  let svg = `<svg width="${width}" height="${height}" role="img" aria-label="forest plot of ${esc(stat.statistic)}">`;
  [0, 0.25, 0.5, 0.75, 1].forEach((t) => { svg += `<line x1="${x(t)}" x2="${x(t)}" y1="10" y2="${height - 15}" stroke="#ddd"/><text x="${x(t)}" y="${height - 2}" text-anchor="middle">${t}</text>`; });
  studies.forEach((s, i) => {
    const y = 20 + i * rowH;
    svg += `<text x="4" y="${y + 4}">${esc(s.country)}</text><line x1="${x(s.ci_low)}" x2="${x(s.ci_high)}" y1="${y}" y2="${y}" stroke="#123"/><rect x="${x(s.estimate) - 4}" y="${y - 4}" width="8" height="8" fill="#123"/><text x="${width - right + 8}" y="${y + 4}">${s.estimate.toFixed(2)} (${s.ci_low.toFixed(2)}–${s.ci_high.toFixed(2)})</text>`;
  });
  if (stat.estimate != null) {
    const y = 20 + studies.length * rowH + 6;
    svg += `<text x="4" y="${y + 4}" font-weight="700">pooled</text><polygon points="${x(stat.ci_low)},${y} ${x(stat.estimate)},${y - 6} ${x(stat.ci_high)},${y} ${x(stat.estimate)},${y + 6}" fill="#0969da"/><text x="${width - right + 8}" y="${y + 4}" font-weight="700">${stat.estimate.toFixed(2)} (${stat.ci_low.toFixed(2)}–${stat.ci_high.toFixed(2)})</text>`;
  }
  return `<h4>${esc(stat.statistic)}: random effects (DerSimonian–Laird), τ²=${(stat.tau2 ?? 0).toFixed(3)}, I²=${((stat.i2 ?? 0) * 100).toFixed(0)}%</h4>` + svg + "</svg>";
}

const keyValues = (o) => Object.entries(o || {}).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : v}`).join(", ");
function explain(s) {
  const scale = s.statistic.includes("per-1000") ? "1000" : s.statistic.includes("per-100") ? "100" : null;
  if (scale) return `${s.numerator} per ${scale} ${s.denominator}; a Poisson rate (Garwood interval): one patient can count several times, so it may exceed ${scale}`;
  return `${s.numerator} / ${s.denominator}`;
}

let shown = null;
async function show(id) {
  shown = id;
  let doc;
  try { doc = await api("/api/queries/" + encodeURIComponent(id)); } catch (error) { showError(error); return; }
  // a running query (pending nodes) is shown as it stands and read again until it is complete
  if (doc.status === "running") setTimeout(() => { if (shown === id) show(id); }, 1500);
  const pending = doc.nodes.filter((n) => n.status === "pending").map((n) => `${n.id} (${n.detail || "asking"})`);
  const description = catalogue.get(doc.measure)?.title || "";
  let html = `<h3>${esc(doc.measure)} <small>${esc(description)}</small></h3>` +
    `<p>${esc(doc.period.start)}..${esc(doc.period.end)} · <b>${esc(doc.status)}</b>${pending.length ? ": waiting for " + esc(pending.join(", ")) : ""}` +
    (Object.keys(doc.parameters || {}).length ? `<br>parameters: ${esc(keyValues(doc.parameters))}` : "") +
    (Object.keys(doc.filters || {}).length ? `<br>filters: ${esc(keyValues(doc.filters))}` : "") + "</p>" +
    `<p class="downloads"><button type="button" data-get="csv">Download CSV</button><button type="button" data-get="json">JSON</button><button type="button" data-get="fhir">FHIR MeasureReport</button></p>`;
  html += document.getElementById("legend").innerHTML;
  html += table(doc.rows.filter((r) => r.stratifier === null && r.population !== "distinct-patients"), "population", doc, "totals");
  for (const s of doc.stratify) {
    for (const pop of [...new Set(doc.rows.filter((r) => r.stratifier === s).map((r) => r.population))]) {
      html += table(doc.rows.filter((r) => r.stratifier === s && r.population === pop), "stratum", doc, `${pop} by ${s}`);
    }
  }
  html += trend(doc);
  const pairRows = doc.rows.filter((r) => r.population === "overlap" && r.stratifier === "pair");
  if (pairRows.length) {
    const policies = nodePolicy(doc);
    html += "<h4>cross-border overlap: patients treated in both countries</h4><table><tr><th>pair</th><th>patients</th></tr>" +
      pairRows.map((r) => `<tr><th scope="row">${esc(r.stratum)}</th>${cell(r, policies.get(r.country))}</tr>`).join("") +
      doc.rows.filter((r) => r.population === "distinct-patients").map((r) => `<tr class="all"><th scope="row">distinct patients (ALL)</th>${cell(r)}</tr>`).join("") + "</table>";
  }
  const stats = doc.statistics.filter((s) => s.stratifier === null && !s.statistic.endsWith("-meta"));
  if (stats.length) {
    html += '<h4>statistics (95% intervals)</h4><table><tr><th>country</th><th>statistic</th><th>estimate</th><th>95% interval</th><th>method</th></tr>' +
      stats.map((s) => `<tr class="${s.country === "ALL" ? "all" : ""}"><td>${esc(s.country)}</td><td>${esc(s.statistic)}</td><td>${s.estimate == null ? (s.lower_bound == null ? "—" : `in [${fmt(s.lower_bound)}, ${fmt(s.upper_bound)}]`) : fmt(s.estimate)}</td><td>${s.estimate == null ? "withheld inputs" : fmt(s.ci_low) + "–" + fmt(s.ci_high)}</td><td title="${esc(s.note || "")}">${esc(s.method)}</td></tr>`).join("") + "</table>";
    for (const name of [...new Set(stats.map((s) => s.statistic))]) {
      const of = stats.filter((s) => s.statistic === name);
      html += bars(of, name) + `<p class="note">${esc(explain(of[0]))}</p>`;
    }
  }
  doc.statistics.filter((s) => s.statistic.endsWith("-meta") && s.stratifier === null).forEach((s) => { html += forest(s); });
  html += "<h4>nodes</h4><table><tr><th>node</th><th>country</th><th>status</th><th>detail</th><th>data as of</th></tr>" +
    doc.nodes.map((n) => `<tr><td>${esc(n.id)}</td><td>${esc(n.country)}</td><td class="${n.status === "ok" ? "ok" : n.status === "pending" ? "pending" : "bad"}">${esc(n.status)}</td><td>${esc(n.detail)}</td><td>${esc(n.data_as_of)}</td></tr>`).join("") + "</table>";
  html += (doc.caveats || []).map((c) => `<p class="note">${esc(c)}</p>`).join("");
  $("result").innerHTML = html;
  const base = "/api/queries/" + encodeURIComponent(id);
  const targets = {csv: [base + "?format=csv", `ketanet-${id}.csv`], json: [base, `ketanet-${id}.json`], fhir: [base + "/MeasureReport", `ketanet-${id}-MeasureReport.json`]};
  document.querySelectorAll("[data-get]").forEach((b) => b.addEventListener("click", () => download(...targets[b.dataset.get])));
}

if ($("token").value) refresh();
