// The collection picker: which knowledge base the page reads and writes (collections.py).
//
// The choice is kept in localStorage and sent as X-Missionrag-Collection with every request
// (core.js). A new name is used at once; the server creates it with its first document.

import { $, api, COLLECTION_NAME, el, fill, getCollection, setCollection } from "./core.js";

const NEW = "__new__";
let serverDefault = "";

function changed() {
  document.dispatchEvent(new CustomEvent("collection-changed"));
}

export async function refreshCollections() {
  const select = $("collection");
  let listed = [];
  try {
    const data = await api("/collections");
    serverDefault = data.default;
    listed = data.collections.map((c) => c.name);
  } catch {
    // An older server without /collections: keep the picker to the current name.
  }
  const current = getCollection() || serverDefault;
  const names = [...new Set([serverDefault, ...listed, current].filter(Boolean))].sort();
  fill(
    select,
    ...names.map((name) =>
      el("option", { value: name, selected: name === current }, name === serverDefault ? `${name} (default)` : name),
    ),
    el("option", { value: NEW }, "New collection…"),
  );
}

function use(name) {
  setCollection(name === serverDefault ? "" : name);
  $("collection-form").hidden = true;
  $("collection-status").textContent = "";
  refreshCollections().then(changed);
}

export function initCollections() {
  const select = $("collection");
  select.addEventListener("change", () => {
    if (select.value === NEW) {
      $("collection-form").hidden = false;
      $("collection-name").focus();
      return;
    }
    use(select.value);
  });
  $("collection-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const name = $("collection-name").value.trim();
    if (!COLLECTION_NAME.test(name)) {
      $("collection-status").textContent =
        "Use lowercase letters, digits, - or _ (up to 63), starting with a letter or digit.";
      return;
    }
    $("collection-name").value = "";
    use(name);
  });
  // A first upload creates a new collection: list it from then on.
  document.addEventListener("documents-changed", refreshCollections);
  refreshCollections();
}
