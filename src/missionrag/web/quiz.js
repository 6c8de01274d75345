// Quiz tab: build a quiz, preview it with answers hidden, download it in every format.

import { $, api, el, fill, status } from "./core.js";
import { openSource, shortSource } from "./documents.js";

const TYPE_LABEL = { mcq: "Multiple choice", true_false: "True or false", cloze: "Fill the gap" };
let lastRequest = null; // the parameters of the quiz on screen; downloads reuse them

function readForm() {
  const types = [...document.querySelectorAll("input[name=quiz-type]:checked")].map((i) => i.value);
  const n = Math.max(1, Math.min(50, Number($("quiz-n").value) || 5));
  const topic = $("quiz-topic").value.trim() || null;
  let seed = $("quiz-seed").value.trim();
  // A seed makes the downloads the very quiz that is on screen (same seed, same questions).
  if (!seed) seed = String(Math.floor(Math.random() * 1_000_000));
  return { n, topic, types, seed: Number(seed) };
}

function item(q, i) {
  const answerId = `quiz-answer-${i}`;
  const answer = el(
    "div",
    { id: answerId, class: "quiz-answer", hidden: true },
    el("p", {}, el("strong", {}, "Answer: "), q.answer),
    q.explanation ? el("p", {}, q.explanation) : null,
    el(
      "blockquote",
      { class: "passage" },
      el("p", {}, q.quote),
      el(
        "footer",
        {},
        [q.title || shortSource(q.source), q.locator].filter(Boolean).join(" · "),
        " ",
        el("button", { type: "button", class: "link", onclick: () => openSource(q) }, "Show in document"),
      ),
    ),
  );
  const toggle = el(
    "button",
    { type: "button", class: "secondary", "aria-expanded": "false", "aria-controls": answerId },
    "Show answer",
  );
  toggle.addEventListener("click", () => {
    const open = answer.hidden;
    answer.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? "Hide answer" : "Show answer";
  });
  return el(
    "li",
    { class: "quiz-item" },
    el("span", { class: "badge" }, TYPE_LABEL[q.type] || q.type),
    el("p", { class: "quiz-q" }, q.question),
    q.options && q.options.length && q.type !== "true_false"
      ? el("ol", { class: "quiz-options", type: "A" }, ...q.options.map((o) => el("li", {}, o)))
      : null,
    toggle,
    answer,
  );
}

async function build() {
  const params = readForm();
  const line = $("quiz-status");
  if (!params.types.length) {
    status(line, "Pick at least one question type.", "error");
    return;
  }
  status(line, "Building the quiz…", "busy");
  $("quiz-build").disabled = true;
  try {
    const items = await api("/quiz", { method: "POST", json: { ...params, format: "json" } });
    lastRequest = params;
    fill(
      $("quiz-list"),
      ...(items.length
        ? items.map(item)
        : [el("li", { class: "muted" }, "No questions found for this topic. Try a broader one.")]),
    );
    for (const b of document.querySelectorAll("[data-format]")) b.disabled = !items.length;
    status(line, `${items.length} question(s) · seed ${params.seed} (downloads contain this quiz)`, "ok");
  } catch (err) {
    status(line, err.message, "error");
  } finally {
    $("quiz-build").disabled = false;
  }
}

function filenameFrom(response, fallback) {
  const header = response.headers.get("Content-Disposition") || "";
  const m = /filename="?([^";]+)"?/.exec(header);
  return m ? m[1] : fallback;
}

async function download(format) {
  if (!lastRequest) return;
  const line = $("quiz-status");
  status(line, `Preparing ${format.toUpperCase()}…`, "busy");
  try {
    const response = await api("/quiz", {
      method: "POST",
      json: { ...lastRequest, format },
      raw: true,
    });
    const blob = await response.blob();
    const url = URL.createObjectURL(blob);
    const link = el("a", { href: url, download: filenameFrom(response, `missionrag-quiz.${format}`) });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    // A format that cannot hold every item (Aiken: no fill-in) says which it left out.
    const summary = response.headers.get("X-Quiz-Summary") || "";
    const partial = /^wrote (\d+ of \d+ items) to [^;]*; (left out .*)$/.exec(summary);
    status(
      line,
      partial
        ? `Downloaded ${format.toUpperCase()}: ${partial[1]}; ${partial[2]}.`
        : `Downloaded ${format.toUpperCase()}.`,
      "ok",
    );
  } catch (err) {
    status(line, err.message, "error");
  }
}

export function initQuiz() {
  $("quiz-form").addEventListener("submit", (event) => {
    event.preventDefault();
    build();
  });
  for (const button of document.querySelectorAll("[data-format]")) {
    button.disabled = true;
    button.addEventListener("click", () => download(button.dataset.format));
  }
}
