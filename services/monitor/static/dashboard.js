// Polls the monitor's JSON every 1.5 s and redraws. Text goes in with textContent only:
// dead-letter reasons and group names come from other systems and must never become markup.
"use strict";

const POLL_MS = 1500;
const $ = (id) => document.getElementById(id);

function setText(id, value) {
  const el = $(id);
  const text = value === null || value === undefined ? "–" : String(value);
  if (el && el.textContent !== text) el.textContent = text;
}

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "–" : String(text);
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function fillTable(table, rows) {
  const body = table.tBodies[0];
  body.replaceChildren();
  if (rows.length === 0) {
    const tr = body.insertRow();
    cell(tr, "none yet", "muted").colSpan = table.tHead.rows[0].cells.length;
  }
  for (const values of rows) {
    const tr = body.insertRow();
    values.forEach((v) => cell(tr, v));
  }
}

const pct = (x) => (x === null || x === undefined ? "–" : (100 * x).toFixed(1) + "%");
const secs = (x) => (x === null || x === undefined ? "–" : x < 1 ? (1000 * x).toFixed(0) + " ms" : x.toFixed(2) + " s");

function renderSummary(s) {
  const c = s.collector;
  const status = $("collector-status");
  status.textContent = c.offsets_error ? "offsets error: " + c.offsets_error
    : c.caught_up ? "live" : "catching up…";
  status.className = "pill " + (c.offsets_error ? "bad" : c.caught_up ? "good" : "warn");
  setText("updated", new Date(s.generated_at).toLocaleTimeString("en-GB"));

  const r = s.referrals;
  setText("ref-total", r.referrals_total);
  setText("ref-rate", r.referrals_per_min);
  setText("ref-active", r.active);
  setText("ref-clients", r.clients_with_active);
  setText("wd-total", r.withdrawals_total);
  setText("wd-rate", r.withdrawals_per_min);
  setText("wd-share", pct(r.withdrawal_share));
  setText("dl-total", s.dead_letters.total);
  setText("lat-p50", secs(s.latency.p50_s));
  setText("lat-p99", secs(s.latency.p99_s));
  setText("lat-n", s.latency.samples);
  setText("latency-means", "Latency: " + s.latency.measures);
  setText("eq-flags", s.equality_flags);
  $("eq-flags").classList.toggle("flag", s.equality_flags > 0);

  // Throughput: one line per topic that has had any traffic in the window.
  const topics = Object.keys(s.throughput.rates);
  const series = topics.map((t) => ({
    name: t, points: s.throughput.series.map((p) => [p.t, p.rates[t] || 0]),
  })).filter((x) => x.points.some((p) => p[1] > 0));
  JobmatchCharts.lineChart($("chart-throughput"), series, "no records appended yet");
  fillTable($("throughput-table"), topics.map((t) => [t, s.throughput.rates[t], s.throughput.end_offsets[t]]));

  const groups = s.lag.groups.map((g) => g.group_id);
  JobmatchCharts.lineChart($("chart-lag"), groups.map((g) => ({
    name: g, points: s.lag.series.filter((p) => g in p.lags).map((p) => [p.t, p.lags[g]]),
  })), "no consumer groups");
  renderLagGroups(s.lag.groups);

  setText("score-n", s.scores.total);
  JobmatchCharts.histogram($("chart-scores"), s.scores.edges, s.scores.counts);

  const workers = [];
  for (const g of s.lag.groups) {
    if (g.members.length === 0) workers.push([g.group_id, "no members", g.state]);
    for (const m of g.members) {
      workers.push([g.group_id, m.client_id + " @ " + m.host + " (" + m.partitions.length + " partitions)", g.state]);
    }
  }
  for (const svc of s.services) {
    workers.push([svc.name, svc.url, (svc.ok ? "up " : "DOWN ") + svc.detail]);
  }
  fillTable($("workers-table"), workers);

  const dl = s.dead_letters;
  fillTable($("dl-reasons"), dl.top_reasons.map(([reason, n]) => [reason, n]));
  fillTable($("dl-sources"), [
    ...Object.entries(dl.by_source).map(([k, n]) => ["source: " + k, n]),
    ...Object.entries(dl.by_record_type).map(([k, n]) => ["type: " + k, n]),
  ]);
  fillTable($("dl-latest"), dl.latest.slice(0, 15).map((d) => [
    d.rejected_at ? new Date(d.rejected_at).toLocaleString("en-GB") : "–", d.source, d.position, d.record_type, d.reason, d.payload_bytes,
  ]));
}

function renderLagGroups(groups) {
  const holder = $("lag-groups");
  holder.replaceChildren();
  for (const g of groups) {
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = g.group_id + " — lag " + g.total_lag + " (" + g.state + ", " +
      g.members.length + " member" + (g.members.length === 1 ? "" : "s") + ")";
    summary.dataset.group = g.group_id;
    details.appendChild(summary);
    const table = document.createElement("table");
    table.createTHead().insertRow().append(...["topic", "partition", "end", "committed", "lag"].map((h) => {
      const th = document.createElement("th"); th.textContent = h; return th;
    }));
    table.createTBody();
    details.appendChild(table);
    fillTable(table, g.partitions.map((p) => [p.topic, p.partition, p.end, p.committed ?? "none", p.lag]));
    holder.appendChild(details);
  }
}

function renderEquality(e) {
  setText("eq-note", e.note);
  setText("eq-eligible", e.eligible_clients);
  const holder = $("eq-dimensions");
  holder.replaceChildren();
  for (const d of e.dimensions) {
    const h3 = document.createElement("h3");
    h3.textContent = d.dimension.replace("_", " ");
    holder.appendChild(h3);
    const table = document.createElement("table");
    table.className = "equality";
    table.dataset.dimension = d.dimension;
    table.createTHead().insertRow().append(...["group", "eligible", "share of eligible", "referred",
      "share of referred", "selection rate", "impact ratio", ""].map((h) => {
      const th = document.createElement("th"); th.textContent = h; return th;
    }));
    const body = table.createTBody();
    for (const g of d.groups) {
      const tr = body.insertRow();
      tr.dataset.group = g.group;
      cell(tr, g.group + (g.group === d.reference_group ? " (reference)" : ""));
      cell(tr, g.eligible, "num eligible");
      cell(tr, pct(g.share_of_eligible), "num");
      cell(tr, g.selected, "num selected");
      cell(tr, pct(g.share_of_selected), "num");
      const rate = cell(tr, pct(g.selection_rate), "num rate");
      const bar = document.createElement("span");
      bar.className = "bar";
      bar.style.width = Math.round(60 * g.selection_rate) + "px";
      rate.prepend(bar);
      cell(tr, g.impact_ratio === null ? "–" : g.impact_ratio.toFixed(4), "num ratio");
      const flag = cell(tr, g.flagged
        ? "below " + e.threshold + ": " + g.selected + "/" + g.eligible + " vs reference " + d.reference_group
        : "", g.flagged ? "flag" : "");
      flag.dataset.flag = g.flagged ? "yes" : "no";
    }
    if (d.groups.length === 0) {
      const tr = body.insertRow();
      cell(tr, "no group large enough to show", "muted").colSpan = 8;
    }
    holder.appendChild(table);
    if (d.suppressed_groups > 0) {
      const p = document.createElement("p");
      p.className = "muted";
      p.textContent = d.suppressed_groups + " group(s) hidden: fewer than " + e.min_group_size +
        " people, or small enough together to be worked out from the others.";
      holder.appendChild(p);
    }
  }
}

async function poll() {
  try {
    const [summary, equality] = await Promise.all([
      fetch("/api/summary", { cache: "no-store" }).then((r) => r.json()),
      fetch("/api/equality", { cache: "no-store" }).then((r) => r.json()),
    ]);
    renderSummary(summary);
    renderEquality(equality);
  } catch (err) {
    const status = $("collector-status");
    status.textContent = "monitor unreachable";
    status.className = "pill bad";
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

document.addEventListener("DOMContentLoaded", poll);
