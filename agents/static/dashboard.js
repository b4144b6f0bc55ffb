// Wirestream live page: polls api/state and redraws. Article text is only ever
// placed with textContent / text nodes, never parsed as HTML.
"use strict";

(function () {
  const POLL_MS = 1500;
  let articlesKey = "";

  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function fmtRate(x) {
    return x >= 10 ? x.toFixed(1) : x.toFixed(2);
  }

  function fmtSeconds(s) {
    if (s === null || s === undefined) return "–";
    if (s < 1) return (s * 1000).toFixed(0) + " ms";
    if (s < 120) return s.toFixed(1) + " s";
    if (s < 7200) return (s / 60).toFixed(1) + " min";
    return (s / 3600).toFixed(1) + " h";
  }

  function fmtTime(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    return isNaN(d) ? String(iso) : d.toLocaleTimeString();
  }

  // Articles/s over the last 2 minutes (server-side 5 s bins), newest at the right.
  function sparkline(values) {
    const canvas = el("canvas", { width: "160", height: "28", class: "spark" });
    const ctx = canvas.getContext("2d");
    if (!ctx || values.length < 2) return canvas;
    const max = Math.max(...values, 0.001);
    const step = 158 / (values.length - 1);
    ctx.strokeStyle = "#3fa7ff";
    ctx.fillStyle = "rgba(63, 167, 255, 0.18)";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(1, 27);
    values.forEach((v, i) => ctx.lineTo(1 + i * step, 27 - (v / max) * 25));
    ctx.lineTo(159, 27);
    ctx.fill();
    ctx.beginPath();
    values.forEach((v, i) => {
      const x = 1 + i * step;
      const y = 27 - (v / max) * 25;
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    ctx.stroke();
    return canvas;
  }

  function renderStages(stages) {
    const body = $("stages").tBodies[0];
    body.replaceChildren();
    for (const s of stages) {
      const h = s.history || [];
      body.append(el("tr", { "data-stage": s.stage },
        el("th", { text: s.stage }),
        el("td", { class: "num rate", text: fmtRate(s.rate_10s) }),
        el("td", { class: "num", text: fmtRate(s.rate_60s) }),
        el("td", { class: "num", text: s.ok }),
        el("td", { class: "num" + (s.dead_letter ? " bad" : ""), text: s.dead_letter }),
        el("td", {}, sparkline(h))));
    }
  }

  function renderLag(lag) {
    $("lag-total").textContent = String(lag.total);
    const body = $("lag").tBodies[0];
    body.replaceChildren();
    for (const p of lag.partitions) {
      body.append(el("tr", {},
        el("td", { text: p.topic }),
        el("td", { class: "num", text: p.partition }),
        el("td", { class: "num" + (p.lag > 0 ? " warn" : ""), text: p.lag })));
    }
    if (!lag.partitions.length) body.append(el("tr", {}, el("td", { colspan: "3", class: "muted", text: "no partitions assigned yet" })));
    $("lag-note").textContent = lag.error ? "refresh failed: " + lag.error
      : lag.updated_at ? "updated " + fmtTime(lag.updated_at) : "";
  }

  function renderLatency(lat) {
    const dl = $("latency");
    dl.replaceChildren();
    for (const q of ["p50", "p95", "p99"]) {
      dl.append(el("div", {}, el("dt", { text: q }), el("dd", { text: fmtSeconds(lat[q]) })));
    }
    dl.append(el("div", {}, el("dt", { text: "articles" }), el("dd", { text: lat.count })));
  }

  function chips(target, title, counts) {
    const box = $(target);
    box.replaceChildren(el("span", { class: "chips-title", text: title }));
    const entries = Object.entries(counts);
    if (!entries.length) box.append(el("span", { class: "muted", text: "none yet" }));
    for (const [label, n] of entries) {
      box.append(el("span", { class: "chip", "data-label": label }, label + " ", el("b", { text: n })));
    }
  }

  function renderErrors(dead, errors) {
    $("dead-total").textContent = String(dead.total);
    const list = $("errors");
    list.replaceChildren();
    if (!errors.length) list.append(el("li", { class: "muted", text: "none" }));
    for (const e of errors.slice(0, 8)) {
      list.append(el("li", {},
        el("span", { class: "when", text: fmtTime(e.at) }), " ",
        el("code", { text: e.stage + "/" + e.reason }), " ",
        el("span", { class: "muted", text: (e.id ? e.id + ": " : "") + (e.error || "") })));
    }
  }

  // Body text with entity mentions wrapped in <mark>, built node by node.
  // Offsets are Unicode code points (Python str indices), so index an array of code points.
  function highlighted(body, entities) {
    const chars = Array.from(body);
    const out = el("div", { class: "body" });
    let pos = 0;
    const sorted = entities.slice().sort((a, b) => a.start - b.start || b.end - a.end);
    for (const e of sorted) {
      if (e.start < pos || e.end > chars.length || e.end <= e.start) continue; // overlapping or out of range
      if (e.start > pos) out.append(document.createTextNode(chars.slice(pos, e.start).join("")));
      const mark = el("mark", { class: "ent", "data-label": e.label, title: e.label });
      mark.textContent = chars.slice(e.start, e.end).join("");
      out.append(mark);
      pos = e.end;
    }
    if (pos < chars.length) out.append(document.createTextNode(chars.slice(pos).join("")));
    return out;
  }

  function renderArticle(a) {
    const quotes = el("ul", { class: "quotes" });
    for (const q of a.quotes) {
      quotes.append(el("li", { class: "quote" },
        el("span", { class: "speaker", text: q.speaker || "unattributed" }),
        el("span", { class: "arrow", text: " → " }),
        el("q", { text: q.text }), " ",
        el("span", { class: "qtype", text: q.part === "headline" ? q.type + " · headline" : q.type })));
    }
    if (!a.quotes.length) quotes.append(el("li", { class: "muted", text: "no quotes" }));
    const meta = [a.source, a.published_at ? "published " + a.published_at : null,
                  "enriched " + fmtTime(a.enriched_at)].filter(Boolean).join(" · ");
    return el("article", { class: "article", "data-id": a.id },
      el("h3", { class: "headline", text: a.headline || "(no headline)" }),
      el("p", { class: "meta muted small", text: meta + " · " + a.id }),
      quotes,
      highlighted(a.body, a.entities),
      a.truncated ? el("p", { class: "muted small", text: "… (truncated)" }) : null);
  }

  function renderArticles(recent) {
    const key = recent.map((a) => a.id + "@" + a.enriched_at).join("|");
    if (key === articlesKey) return;
    articlesKey = key;
    const box = $("articles");
    box.replaceChildren();
    if (!recent.length) box.append(el("p", { class: "muted", text: "No article enriched by this worker yet." }));
    for (const a of recent) box.append(renderArticle(a));
  }

  function renderStories(stories) {
    const box = $("stories");
    box.replaceChildren();
    const s = stories || {};
    for (const [label, key] of [["held (embargo)", "held"], ["superseded", "superseded"], ["withdrawn", "withdrawn"]]) {
      box.append(el("dt", { text: label }), el("dd", { "data-figure": key, text: String(s[key] ?? 0) }));
    }
  }

  function render(state) {
    const w = state.worker || {};
    $("worker").textContent = `group ${w.app_id} · ${w.host}:${w.web_port} · pid ${w.pid} · v${w.version} · up ${fmtSeconds(state.uptime_s)}`;
    renderStages(state.stages);
    renderLag(state.lag);
    renderLatency(state.latency_s);
    renderStories(state.stories);
    chips("entity-counts", "entities", state.entities);
    chips("quote-counts", "quotes", state.quotes);
    renderErrors(state.dead_letters, state.errors);
    renderArticles(state.recent);
  }

  async function poll() {
    const status = $("status");
    try {
      const response = await fetch("api/state", { cache: "no-store" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      render(await response.json());
      status.textContent = "updated " + new Date().toLocaleTimeString();
      status.className = "status ok";
    } catch (err) {
      status.textContent = "worker unreachable (" + err.message + ")";
      status.className = "status down";
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }

  poll();
})();
