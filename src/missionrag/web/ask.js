// Ask tab: a question, the answer as it is written (SSE), numbered citations.

import { $, api, el, fill, safeUrl, status, withCitationLinks } from "./core.js";
import { openSource, originalLabel, shortSource } from "./documents.js";

let controller = null;
// The conversation, held here and sent with each question (the server keeps none):
// [{question, query}] where query is how the server read the question (its standalone form).
let turns = [];
const MAX_TURNS = 10;

function renderConversation() {
  $("conversation").hidden = turns.length === 0;
  fill($("conversation-list"), ...turns.map((t) => el("li", {}, t.question)));
}

export function newConversation() {
  turns = [];
  renderConversation();
}

/** Parse an SSE byte stream from fetch(): yields {event, data} with data JSON-decoded. */
async function* sseEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut = buffer.indexOf("\n\n");
    while (cut >= 0) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = "message";
      const data = [];
      for (const line of frame.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      if (data.length) yield { event, data: JSON.parse(data.join("\n")) };
      cut = buffer.indexOf("\n\n");
    }
  }
}

function citationItem(c, n) {
  const url = safeUrl(c.url);
  return el(
    "li",
    { id: `cite-${n}`, tabindex: "-1" },
    el(
      "div",
      { class: "cite-head" },
      el("span", { class: "cite-n" }, `[${n}]`),
      " ",
      el("strong", {}, c.title || shortSource(c.source)),
      c.locator ? el("span", { class: "meta" }, ` · ${c.locator}`) : null,
    ),
    el("blockquote", { class: "passage" }, el("p", {}, c.quote)),
    el(
      "div",
      { class: "cite-actions" },
      el("button", { type: "button", class: "link", onclick: () => openSource(c) }, "Show in document"),
      url
        ? el(
            "a",
            { href: url, target: "_blank", rel: "noopener noreferrer", class: "ext" },
            originalLabel(url, c.locator),
          )
        : null,
    ),
  );
}

function renderAnswer(answer) {
  const box = $("answer");
  const n = answer.citations.length;
  box.dataset.state = answer.abstained ? "abstained" : "answered";
  const readAs = answer.context_from
    ? el(
        "p",
        { id: "read-as", class: "read-as" },
        el("span", { class: "meta" }, "Read as: "),
        answer.standalone_query,
        el("span", { class: "meta" }, ` (a follow-up to “${answer.context_from}”)`),
      )
    : null;
  fill(
    box,
    readAs,
    el("p", { class: "answer-text" }, ...withCitationLinks(answer.answer, "cite-", n)),
    el(
      "p",
      { class: "meta" },
      answer.mode === "llm" ? "Written by the language model from the passages below." : "Sentences quoted from the sources below.",
    ),
    ...(answer.notes || []).map((note) => el("p", { class: "meta" }, note)),
  );
  const list = $("citations");
  if (n) {
    $("citations-title").textContent = "Sources";
    fill(list, ...answer.citations.map((c, i) => citationItem(c, i + 1)));
  } else if (answer.closest && answer.closest.length) {
    $("citations-title").textContent = "Closest passages";
    fill(
      list,
      ...answer.closest.map((h, i) => citationItem({ ...h, quote: h.text }, i + 1)),
    );
  } else {
    $("citations-title").textContent = "Sources";
    fill(list);
  }
  for (const link of box.querySelectorAll(".cite-ref")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const target = document.querySelector(link.getAttribute("href"));
      if (target) {
        target.scrollIntoView({ block: "nearest" });
        target.focus();
      }
    });
  }
}

async function ask(question) {
  if (controller) controller.abort();
  controller = new AbortController();
  const line = $("ask-status");
  const box = $("answer");
  status(line, "Searching the knowledge base…", "busy");
  $("ask-button").disabled = true;
  const live = el("p", { class: "answer-text streaming" });
  let streamed = false;
  try {
    const response = await api("/ask/stream", {
      method: "POST",
      json: turns.length ? { question, history: turns } : { question },
      signal: controller.signal,
      raw: true,
    });
    for await (const { event, data } of sseEvents(response)) {
      if (event === "token") {
        if (!streamed) {
          streamed = true;
          fill(box, live);
          fill($("citations"));
          status(line, "Writing the answer…", "busy");
        }
        live.append(document.createTextNode(data));
      } else if (event === "answer") {
        renderAnswer(data);
        const query = data.standalone_query;
        turns = [...turns, { question, query: query && query !== question ? query : null }].slice(-MAX_TURNS);
        renderConversation();
        status(
          line,
          data.abstained ? "Not answered by the knowledge base." : `Answered with ${data.citations.length} source(s).`,
          "ok",
        );
      } else if (event === "error") {
        status(line, data.detail, "error");
      }
    }
  } catch (err) {
    if (err.name !== "AbortError") status(line, err.message, "error");
  } finally {
    $("ask-button").disabled = false;
  }
}

export function setAskLimit(limit) {
  $("question").maxLength = limit;
}

export function initAsk() {
  $("conversation-new").addEventListener("click", () => {
    newConversation();
    $("question").focus();
  });
  // Another collection is another knowledge base: its conversation starts anew.
  document.addEventListener("collection-changed", newConversation);
  $("ask-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const question = $("question").value.trim();
    if (!question) {
      status($("ask-status"), "Type a question first.", "error");
      $("question").focus();
      return;
    }
    ask(question);
  });
  for (const button of document.querySelectorAll("[data-question]")) {
    button.addEventListener("click", () => {
      $("question").value = button.dataset.question;
      ask(button.dataset.question);
    });
  }
}
