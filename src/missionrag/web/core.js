// Shared helpers: DOM building (text only), the API client, the write token.
//
// Every piece of document text reaches the page through textContent or createTextNode:
// documents are untrusted, so corpus text must never be parsed as HTML.

const TOKEN_KEY = "missionrag-token";
const COLLECTION_KEY = "missionrag-collection";
// The same rule as the server's (collections.py): lowercase letters, digits, - and _.
export const COLLECTION_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Build an element: el("a", {href: "#x", class: "c"}, "text", childNode, ...). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function $(id) {
  return document.getElementById(id);
}

/** Replace the children of `node` with `children` in one step (no empty flash). */
export function fill(node, ...children) {
  node.replaceChildren(
    ...children.filter((c) => c !== null && c !== undefined && c !== false),
  );
}

/** The URL if it is http(s), else null: a document's front matter could say "javascript:". */
export function safeUrl(raw) {
  if (!raw) return null;
  try {
    const url = new URL(raw, window.location.href);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** The collection this tab works in ("" = the server's default), kept across reloads. */
export function getCollection() {
  const name = localStorage.getItem(COLLECTION_KEY) || "";
  return COLLECTION_NAME.test(name) ? name : "";
}

export function setCollection(name) {
  if (name) localStorage.setItem(COLLECTION_KEY, name);
  else localStorage.removeItem(COLLECTION_KEY);
}

// One token per collection: a team's token is not another's (MISSIONRAG_COLLECTION_TOKENS).
function tokenKey() {
  const name = getCollection();
  return name ? `${TOKEN_KEY}:${name}` : TOKEN_KEY;
}

export function getToken() {
  return sessionStorage.getItem(tokenKey()) || "";
}

export function setToken(token) {
  if (token) sessionStorage.setItem(tokenKey(), token);
  else sessionStorage.removeItem(tokenKey());
}

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function errorFrom(response) {
  let detail = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (body && typeof body.detail === "string") detail = body.detail;
  } catch {
    // not JSON (a proxy's error page, say): keep the status line
  }
  return new ApiError(response.status, detail);
}

/**
 * fetch() with JSON in and out. Options: json (body), form (FormData), write (send the
 * token), signal, raw (return the Response instead of parsed JSON).
 */
export async function api(path, { method = "GET", json, form, write, signal, raw } = {}) {
  // A header a cross-site form cannot send: the server needs it for writes without a token.
  const headers = { "X-Requested-With": "missionrag" };
  const collection = getCollection();
  if (collection) headers["X-Missionrag-Collection"] = collection;
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form) {
    body = form;
  }
  const token = getToken();
  if (write && token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, { method, headers, body, signal });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError(0, "The server cannot be reached. Is `missionrag serve` running?");
  }
  if (!response.ok) throw await errorFrom(response);
  return raw ? response : response.json();
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

export const pct = (score) => Math.round(Math.max(0, Math.min(1, Number(score) || 0)) * 100);

/** Set a status line; kind: "" | "busy" | "error" | "ok". */
export function status(node, text, kind = "") {
  node.textContent = text;
  node.dataset.kind = kind;
}

/** The "[1]" citation markers in `text` as links to #<prefix><n>; the rest as text nodes. */
export function withCitationLinks(text, prefix, count) {
  const parts = [];
  const re = /\[(\d+)\]/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const n = Number(m[1]);
    if (n < 1 || n > count) continue;
    if (m.index > last) parts.push(document.createTextNode(text.slice(last, m.index)));
    parts.push(
      el("a", { href: `#${prefix}${n}`, class: "cite-ref", "aria-label": `source ${n}` }, `[${n}]`),
    );
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(document.createTextNode(text.slice(last)));
  return parts;
}
