// Documents panel (list, upload, add a web page, delete) and the source viewer.

import { $, api, ApiError, el, fill, getToken, safeUrl, setToken, status } from "./core.js";

let docs = []; // DocumentInfo[] from GET /documents
let pendingWrite = null; // the write to retry once a token has been given
let writes = "open"; // from /health: open | token | disabled

export function setWriteMode(mode, detail) {
  writes = mode;
  const note = $("docs-writes");
  if (mode === "disabled") {
    note.hidden = false;
    note.textContent =
      detail || "This server does not accept changes (it is exposed without an access token).";
  } else {
    note.hidden = true;
  }
  for (const node of document.querySelectorAll("[data-write]")) node.disabled = mode === "disabled";
}

/** Short, readable form of a source: the file name, or the host and path of a URL. */
export function shortSource(source) {
  if (/^https?:\/\//.test(source)) {
    try {
      const url = new URL(source);
      return url.host + url.pathname;
    } catch {
      return source;
    }
  }
  return source.split("/").pop();
}

export async function refreshDocuments() {
  try {
    const data = await api("/documents");
    docs = data.documents;
    $("docs-count").textContent = String(data.count);
    renderList();
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      // A collection not yet created: it starts with its first document.
      docs = [];
      $("docs-count").textContent = "0";
      renderList();
    } else {
      status($("docs-status"), err.message, "error");
    }
  }
  return docs;
}

function renderList() {
  const list = $("docs-list");
  if (!docs.length) {
    fill(list, el("li", { class: "muted" }, "No documents yet. Upload a file or add a web page."));
    return;
  }
  fill(
    list,
    ...docs.map((doc) =>
      el(
        "li",
        { class: "doc" },
        el(
          "div",
          { class: "doc-main" },
          el("span", { class: "doc-title" }, doc.title || shortSource(doc.source)),
          el(
            "span",
            { class: "doc-meta" },
            `${shortSource(doc.source)} · ${doc.kind} · ${doc.chunks} passages`,
          ),
        ),
        el(
          "div",
          { class: "doc-actions" },
          el(
            "button",
            {
              type: "button",
              class: "ghost",
              onclick: () => openSource({ source: doc.source, title: doc.title }),
            },
            "View",
          ),
          deleteButton(doc),
        ),
      ),
    ),
  );
}

function deleteButton(doc) {
  // Two clicks instead of window.confirm(): a modal confirm is easy to click through and
  // unusable in some embedded browsers.
  const button = el(
    "button",
    {
      type: "button",
      class: "danger",
      "data-write": true,
      "aria-label": `Delete ${doc.title || doc.source}`,
    },
    "Delete",
  );
  let armed = null;
  button.disabled = writes === "disabled";
  button.addEventListener("click", () => {
    if (!armed) {
      button.textContent = "Confirm delete";
      button.classList.add("armed");
      armed = setTimeout(() => {
        armed = null;
        button.textContent = "Delete";
        button.classList.remove("armed");
      }, 5000);
      return;
    }
    clearTimeout(armed);
    write(
      () => api(`/documents/${encodeURIComponent(doc.doc_id)}`, { method: "DELETE", write: true }),
      `Deleted “${doc.title || doc.source}”.`,
    );
  });
  return button;
}

/** Run a write; on 401 ask for the token and retry it once the token is given. */
async function write(run, okMessage) {
  const line = $("docs-status");
  status(line, "Working…", "busy");
  try {
    const result = await run();
    pendingWrite = null;
    $("token-form").hidden = true;
    const report = result && result.report;
    let message = okMessage;
    if (report && !report.added.length && !report.updated.length && report.unchanged.length) {
      message = "Already in the knowledge base, unchanged.";
    }
    status(line, message, "ok");
    await refreshDocuments();
    // The header's counts come from /health; app.js refreshes them on this event.
    document.dispatchEvent(new CustomEvent("documents-changed"));
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      pendingWrite = { run, okMessage };
      $("token-form").hidden = false;
      status(
        line,
        getToken() ? "That token was not accepted. Check it and try again." : err.message,
        "error",
      );
      $("token-input").focus();
    } else {
      status(line, err.message, "error");
    }
    return false;
  }
}

export function docIdFor(source) {
  const found = docs.find((d) => d.source === source);
  return found ? found.doc_id : null;
}

/** The label of a link to the original: a video at its time, a PDF at its page, or a page. */
export function originalLabel(url, locator) {
  if (/youtube\.com|youtu\.be/.test(url)) return `Watch at ${locator || "the start"} ↗`;
  const page = /\/file(?:\?[^#]*)?#page=(\d+)$/.exec(url);
  if (page) return `Open the PDF at page ${page[1]} ↗`;
  return "Open the original ↗";
}

let shown = 0; // the latest openSource call: an earlier, slower fetch must not overwrite it

/**
 * Show a document's text with `quote` marked and scrolled into view.
 * ref: {source, title, locator, url, quote}
 */
export async function openSource(ref) {
  const call = ++shown;
  const dialog = $("source-dialog");
  $("source-title").textContent = ref.title || shortSource(ref.source);
  const meta = [shortSource(ref.source), ref.locator].filter(Boolean).join(" · ");
  $("source-meta").textContent = meta;
  const link = $("source-link");
  const url = safeUrl(ref.url);
  link.hidden = !url;
  if (url) {
    link.href = url;
    link.textContent = originalLabel(url, ref.locator);
  }
  const body = $("source-text");
  fill(body, el("p", { class: "muted" }, "Loading…"));
  if (!dialog.open) dialog.showModal();
  // The list may predate the cited document (added since, from another tab or the API).
  let docId = docIdFor(ref.source);
  if (!docId) {
    await refreshDocuments();
    docId = docIdFor(ref.source);
  }
  if (!docId) {
    fill(body, el("p", { class: "muted" }, "This document is no longer in the knowledge base."));
    return;
  }
  try {
    const doc = await api(`/documents/${encodeURIComponent(docId)}`);
    if (call === shown) renderText(body, doc.text, ref.quote);
  } catch (err) {
    if (call === shown) fill(body, el("p", { class: "error" }, err.message));
  }
}

/**
 * [start, end) of `quote` in `text`: the exact string, else the same words with any white
 * space between them (a quote shown on one line may span a line break in the document).
 */
export function findQuote(text, quote) {
  if (!quote) return null;
  const at = text.indexOf(quote);
  if (at >= 0) return [at, at + quote.length];
  const words = quote.trim().split(/\s+/).filter(Boolean);
  if (!words.length) return null;
  const pattern = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("\\s+");
  const m = new RegExp(pattern).exec(text);
  return m ? [m.index, m.index + m[0].length] : null;
}

function renderText(body, text, quote) {
  const span = findQuote(text, quote);
  if (!span) {
    fill(body, document.createTextNode(text));
    body.scrollTop = 0;
    return;
  }
  const [start, end] = span;
  const mark = el("mark", { class: "quote-mark", tabindex: "-1" }, text.slice(start, end));
  fill(
    body,
    document.createTextNode(text.slice(0, start)),
    mark,
    document.createTextNode(text.slice(end)),
  );
  // Scroll the text box itself, not the page: the passage lands a third of the way down,
  // with the text before it in view (scrollIntoView on a mark inside a modal dialog could
  // move the dialog instead of its text box).
  const offset = mark.getBoundingClientRect().top - body.getBoundingClientRect().top;
  body.scrollTop += offset - body.clientHeight / 3;
  mark.focus({ preventScroll: true });
}

export function initDocuments() {
  const dialog = $("docs-dialog");
  $("docs-open").addEventListener("click", () => {
    dialog.showModal();
    refreshDocuments();
  });
  for (const button of document.querySelectorAll("[data-close]")) {
    button.addEventListener("click", () => button.closest("dialog").close());
  }
  // A click on the backdrop (the dialog element itself, outside its box) closes it.
  for (const d of document.querySelectorAll("dialog")) {
    d.addEventListener("click", (event) => {
      if (event.target === d) d.close();
    });
  }

  $("upload-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const file = $("upload-file").files[0];
    if (!file) {
      status($("docs-status"), "Choose a file first.", "error");
      return;
    }
    const form = new FormData();
    form.append("file", file);
    write(
      () => api("/documents", { method: "POST", form, write: true }),
      `Added “${file.name}”.`,
    ).then((ok) => {
      if (ok) $("upload-file").value = "";
    });
  });

  $("url-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const url = $("url-input").value.trim();
    if (!url) return;
    write(
      () => api("/documents", { method: "POST", json: { url }, write: true }),
      `Added ${url}.`,
    ).then((ok) => {
      if (ok) $("url-input").value = "";
    });
  });

  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    setToken($("token-input").value.trim());
    $("token-input").value = "";
    $("token-forget").hidden = !getToken();
    if (pendingWrite) write(pendingWrite.run, pendingWrite.okMessage);
  });
  $("token-forget").hidden = !getToken();
  $("token-forget").addEventListener("click", () => {
    setToken("");
    $("token-forget").hidden = true;
    status($("docs-status"), "Token forgotten.", "");
  });
}
