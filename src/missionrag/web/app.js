// Entry point: tabs, the health line, and the three tools plus the documents panel.

import { initAsk, setAskLimit } from "./ask.js";
import { initCheck, setCheckLimit } from "./check.js";
import { initCollections } from "./collections.js";
import { $, api, ApiError, getCollection } from "./core.js";
import { initDocuments, refreshDocuments, setWriteMode } from "./documents.js";
import { initQuiz } from "./quiz.js";

/** WAI-ARIA tabs: arrow keys move between tabs, Home/End jump, only the active tab is tabbable. */
function initTabs() {
  const tabs = [...document.querySelectorAll("[role=tab]")];
  const select = (tab, focus) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute("aria-controls")).hidden = !on;
    }
    if (focus) tab.focus();
    history.replaceState(null, "", `#${tab.id.replace("tab-", "")}`);
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => select(tab, false));
    tab.addEventListener("keydown", (event) => {
      const moves = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 };
      if (!(event.key in moves)) return;
      event.preventDefault();
      select(tabs[(moves[event.key] + tabs.length) % tabs.length], true);
    });
  });
  const start = tabs.find((t) => t.id === `tab-${location.hash.slice(1)}`);
  if (start) select(start, false);
}

async function loadHealth() {
  const line = $("health");
  try {
    const h = await api("/health");
    line.textContent = `${h.documents} documents · ${h.chunks} passages · ${h.llm ? "LLM on" : "offline mode"}`;
    line.dataset.kind = "ok";
    setCheckLimit(h.limits.max_statement_chars);
    setAskLimit(h.limits.max_query_chars);
    setWriteMode(h.writes);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404 && getCollection()) {
      // A new collection: it exists once its first document is added.
      line.textContent = `New collection “${getCollection()}” · add a document to start it`;
      line.dataset.kind = "ok";
      setWriteMode("open");
      return;
    }
    line.textContent = err.message;
    line.dataset.kind = "error";
  }
}

document.addEventListener("documents-changed", loadHealth);
document.addEventListener("collection-changed", () => {
  loadHealth();
  refreshDocuments();
});

initTabs();
initCollections();
initDocuments();
initCheck();
initAsk();
initQuiz();
loadHealth();
refreshDocuments();
