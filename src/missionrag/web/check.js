// Check tab: score a mission statement as it is typed.

import { $, api, debounce, el, fill, pct, safeUrl, status } from "./core.js";
import { openSource, originalLabel, shortSource } from "./documents.js";

const SVG = "http://www.w3.org/2000/svg";
const CRITERIA = [
  ["bold", "Bold"],
  ["measurable", "Measurable"],
  ["time_bound", "Time-bound"],
  ["cross_sectoral", "Cross-sectoral"],
];
const SEVERITY = { error: 3, warning: 2, info: 1 };
const EXAMPLE =
  "By 2030, halve the number of young people in Denmark who are neither in education nor " +
  "in work, with schools, employers, municipalities and health services acting together.";

let controller = null;
let sequence = 0;
let maxChars = 5000;
const bars = {}; // key -> {bar, value}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The chart is drawn once at full size; results only move the bars (no layout jump). */
function buildChart() {
  const chart = $("chart");
  const rows = [...CRITERIA, ["washing", "Washing risk"]];
  const labelW = 118;
  const trackW = 176; // leaves 66 units for values like "100 ✓"
  rows.forEach(([key, label], i) => {
    const y = 14 + i * 34;
    const risk = key === "washing";
    chart.append(svg("text", { x: 0, y: y + 11, class: "chart-label" }, label));
    chart.append(
      svg("rect", { x: labelW, y, width: trackW, height: 14, rx: 7, class: "chart-track" }),
    );
    const bar = svg("rect", {
      x: labelW,
      y,
      width: trackW,
      height: 14,
      rx: 7,
      class: risk ? "chart-bar risk" : "chart-bar",
    });
    bar.style.transform = "scaleX(0)";
    chart.append(bar);
    const value = svg("text", { x: 360, y: y + 11, class: "chart-value", "text-anchor": "end" }, "–");
    chart.append(value);
    bars[key] = { bar, value, risk };
  });
}

function setBar(key, score, passed) {
  const { bar, value, risk } = bars[key];
  bar.style.transform = `scaleX(${Math.max(0, Math.min(1, score))})`;
  bar.classList.toggle("pass", !risk && passed === true);
  bar.classList.toggle("high", risk && passed === true);
  const mark = passed === undefined ? "" : risk ? (passed ? " ⚠" : "") : passed ? " ✓" : " ✗";
  value.textContent = `${pct(score)}${mark}`;
}

function renderChart(result) {
  const summary = [];
  for (const [key, label] of CRITERIA) {
    const c = result.criteria[key] || { score: 0, passed: false };
    setBar(key, c.score, c.passed);
    summary.push(`${label} ${pct(c.score)} of 100${c.passed ? ", passed" : ", not passed"}`);
  }
  const washing = result.mission_washing;
  setBar("washing", washing.risk, washing.flagged);
  summary.push(`mission-washing risk ${pct(washing.risk)} of 100`);
  $("chart-desc").textContent = summary.join("; ");
  $("overall").textContent = String(pct(result.overall));
  $("overall-box").dataset.level =
    result.overall >= 0.7 ? "good" : result.overall >= 0.4 ? "fair" : "weak";
  const signals = $("washing-signals");
  fill(
    signals,
    ...(washing.signals.length
      ? washing.signals.map((s) => el("li", {}, s))
      : [el("li", { class: "muted" }, "No mission-washing signals found.")]),
  );
}

/**
 * The statement with finding spans marked. Offsets from the server count code points
 * (Python), so the text is split with Array.from rather than indexed as UTF-16.
 */
function renderStatement(statement, findings) {
  const chars = Array.from(statement);
  const valid = findings
    .map((f, i) => ({ ...f, i }))
    .filter((f) => f.start >= 0 && f.end > f.start && f.end <= chars.length);
  const cuts = [...new Set([0, chars.length, ...valid.flatMap((f) => [f.start, f.end])])].sort(
    (a, b) => a - b,
  );
  const parts = [];
  for (let k = 0; k < cuts.length - 1; k++) {
    const [a, b] = [cuts[k], cuts[k + 1]];
    const text = chars.slice(a, b).join("");
    const cover = valid.filter((f) => f.start <= a && f.end >= b);
    if (!cover.length) {
      parts.push(document.createTextNode(text));
      continue;
    }
    const worst = cover.reduce((w, f) => (SEVERITY[f.severity] > SEVERITY[w.severity] ? f : w));
    parts.push(
      el(
        "mark",
        {
          class: `finding sev-${worst.severity}`,
          tabindex: "0",
          "data-tip": cover.map((f) => f.message).join("\n"),
          "aria-describedby": cover.map((f) => `finding-${f.i}`).join(" "),
        },
        text,
      ),
    );
  }
  fill($("statement-view"), ...parts);

  const list = $("findings");
  if (!findings.length) {
    fill(list, el("li", { class: "muted" }, "No wording problems found."));
    return;
  }
  fill(
    list,
    ...findings.map((f, i) =>
      el(
        "li",
        { id: `finding-${i}`, class: `sev-${f.severity}` },
        el("span", { class: `badge sev-${f.severity}` }, f.severity),
        " ",
        ...quoteUnlessRepeated(Array.from(statement).slice(f.start, f.end).join(""), f.message),
        f.message,
        f.suggestion ? el("span", { class: "suggestion" }, ` Try: ${f.suggestion}`) : null,
      ),
    ),
  );
}

/** The marked words, unless the message already quotes them ("'strive' sets a direction"). */
function quoteUnlessRepeated(span, message) {
  return span && !message.includes(span) ? [el("q", {}, span), " "] : [];
}

function passage(ref) {
  const where = [ref.title || shortSource(ref.source), ref.locator].filter(Boolean).join(" · ");
  const url = safeUrl(ref.url);
  return el(
    "blockquote",
    { class: "passage" },
    el("p", {}, ref.quote),
    el(
      "footer",
      {},
      where,
      " ",
      el("button", { type: "button", class: "link", onclick: () => openSource(ref) }, "Show in document"),
      url ? " · " : null,
      url ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, originalLabel(url, ref.locator)) : null,
    ),
  );
}

/** "This is <existing mission> (source)": a quote of a published mission is not washing. */
function renderExisting(result) {
  const box = $("existing-mission");
  const e = result.existing_mission;
  box.hidden = !e;
  if (!e) return fill(box);
  const url = safeUrl(e.source);
  fill(
    box,
    el("strong", {}, `This is ${e.name}`),
    el("q", {}, e.text),
    el(
      "span",
      { class: "meta" },
      [e.issuer, e.year, e.locator].filter(Boolean).join(" · "),
      url ? " · " : null,
      url ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, "source ↗") : null,
      ` · matched on ${e.match}`,
    ),
  );
}

/** The draft's target beside the commitment that already states it, with the source. */
function renderRelabelling(result) {
  const box = $("relabelling");
  const r = result.relabelling;
  box.hidden = !r;
  if (!r) return fill(box);
  const where = [r.title || shortSource(r.source), r.locator].filter(Boolean).join(" · ");
  const same = Object.entries(r.matched || {}).map(([k, v]) => `${k}: ${v}`);
  fill(
    box,
    el("h3", {}, "Relabelling: this target already stands as a commitment"),
    el(
      "div",
      { class: "side-by-side" },
      el("div", {}, el("h4", {}, "Your draft"), el("q", {}, r.draft_target)),
      el(
        "div",
        {},
        el("h4", {}, where),
        el("q", {}, r.existing),
        " ",
        el("button", { type: "button", class: "link", onclick: () => openSource({ ...r, quote: r.existing }) }, "Show in document"),
      ),
    ),
    same.length ? el("p", { class: "meta" }, `Same ${same.join("; ")}.`) : null,
  );
}

/** Evidence as the words that earned or cost the criterion points. */
function evidenceLine(c) {
  const spans = c.evidence_spans || [];
  if (!spans.length) {
    return c.evidence.length ? el("p", { class: "evidence" }, "Found: ", c.evidence.map((e) => `“${e}”`).join(", ")) : null;
  }
  const parts = [];
  spans.forEach((s, i) => {
    if (i) parts.push(", ");
    parts.push(el("span", { class: s.effect, title: s.about || s.feature }, `“${s.text}”`));
  });
  return el("p", { class: "evidence" }, c.passed ? "Earned by: " : "Cost by: ", ...parts);
}

function renderAdvice(result) {
  const items = CRITERIA.map(([key, label]) => {
    const c = result.criteria[key];
    if (!c) return null;
    const refs = result.sources.filter((s) => s.criterion === key);
    return el(
      "section",
      { class: `advice-item ${c.passed ? "pass" : "fail"}` },
      el(
        "h3",
        {},
        label,
        " ",
        el("span", { class: "verdict" }, c.passed ? `${pct(c.score)} · meets it` : `${pct(c.score)} · needs work`),
      ),
      c.advice ? el("p", {}, c.advice) : null,
      evidenceLine(c),
      ...refs.map(passage),
    );
  });
  const general = result.sources.filter((s) => !CRITERIA.some(([k]) => k === s.criterion));
  if (general.length) {
    items.push(el("section", { class: "advice-item" }, el("h3", {}, "Further reading"), ...general.map(passage)));
  }
  fill($("advice"), ...items);

  const rewrite = $("rewrite");
  if (result.suggested_rewrite) {
    fill(
      rewrite,
      el("p", { class: "rewrite-text" }, result.suggested_rewrite),
      el(
        "button",
        {
          type: "button",
          class: "secondary",
          onclick: () => {
            $("statement").value = result.suggested_rewrite;
            onInput();
            $("statement").focus();
          },
        },
        "Check this rewrite",
      ),
    );
  } else {
    fill(rewrite, el("p", { class: "muted" }, "No rewrite suggested."));
  }

  const similar = result.similar_missions || [];
  fill(
    $("similar"),
    ...(similar.length
      ? similar.map((m) =>
          el(
            "li",
            {},
            el("q", {}, m.text),
            el(
              "span",
              { class: "meta" },
              // A similarity that rounds to 0% says nothing useful; leave it out.
              [m.issuer, m.year, pct(m.similarity) ? `${pct(m.similarity)}% similar` : null]
                .filter(Boolean)
                .join(" · "),
            ),
          ),
        )
      : [el("li", { class: "muted" }, "No similar missions found.")]),
  );
  const notes = result.notes || [];
  fill($("check-notes"), ...notes.map((n) => el("p", {}, n)));
}

async function score(statement) {
  if (controller) controller.abort();
  controller = new AbortController();
  const mine = ++sequence;
  const line = $("check-status");
  status(line, "Scoring…", "busy");
  try {
    const result = await api("/check", { method: "POST", json: { statement }, signal: controller.signal });
    if (mine !== sequence) return; // a newer keystroke already asked again
    renderChart(result);
    renderExisting(result);
    renderRelabelling(result);
    renderStatement(result.statement, result.findings);
    renderAdvice(result);
    $("check-results").dataset.state = "scored";
    status(line, `Scored · overall ${pct(result.overall)} of 100`, "ok");
  } catch (err) {
    if (err.name === "AbortError" || mine !== sequence) return;
    status(line, err.message, "error");
  }
}

const scoreSoon = debounce(score, 300);

function onInput() {
  const value = $("statement").value;
  $("statement-count").textContent = `${value.length} / ${maxChars}`;
  if (value.trim().length < 3) {
    sequence++;
    if (controller) controller.abort();
    status($("check-status"), "Type a mission statement; it is scored as you type.", "");
    return;
  }
  status($("check-status"), "Scoring…", "busy");
  scoreSoon(value);
}

/** One tooltip element for all marks, kept inside the viewport (phones included). */
function initTooltip() {
  const tip = $("tip");
  const view = $("statement-view");
  const show = (target) => {
    if (!target || !target.dataset.tip) return;
    tip.textContent = target.dataset.tip;
    tip.hidden = false;
    const r = target.getBoundingClientRect();
    const width = Math.min(320, window.innerWidth - 16);
    tip.style.maxWidth = `${width}px`;
    const left = Math.max(8, Math.min(r.left, window.innerWidth - tip.offsetWidth - 8));
    tip.style.left = `${left + window.scrollX}px`;
    tip.style.top = `${r.bottom + window.scrollY + 6}px`;
  };
  const hide = () => {
    tip.hidden = true;
  };
  view.addEventListener("mouseover", (e) => show(e.target.closest("mark")));
  view.addEventListener("mouseout", hide);
  view.addEventListener("focusin", (e) => show(e.target.closest("mark")));
  view.addEventListener("focusout", hide);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") hide();
  });
}

export function setCheckLimit(limit) {
  maxChars = limit;
  $("statement").maxLength = limit;
  $("statement-count").textContent = `${$("statement").value.length} / ${maxChars}`;
}

export function initCheck() {
  buildChart();
  initTooltip();
  $("statement").addEventListener("input", onInput);
  $("check-example").addEventListener("click", () => {
    $("statement").value = EXAMPLE;
    onInput();
    $("statement").focus();
  });
  if ($("statement").value.trim()) onInput();
}
