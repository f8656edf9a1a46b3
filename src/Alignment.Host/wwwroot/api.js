// Talking to the Alignment API. The API key lives in the `alignment-key` cookie (SameSite=Strict), which the host's
// API-key handler reads; an OIDC access token, when used, is kept for this tab only and sent as a bearer token.
// A POST or DELETE authenticated by the cookie also sends the anti-forgery token (GET /antiforgery/token) in its header.
const COOKIE = "alignment-key";
const TOKEN = "alignment-token";
let antiforgery = null; // { headerName, token } for the signed-in key; fetched on the first unsafe request

export function signedIn() {
  return document.cookie.split("; ").some(c => c.startsWith(COOKIE + "=")) || !!sessionStorage.getItem(TOKEN);
}

export function signInWithKey(key) {
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${COOKIE}=${encodeURIComponent(key)}; Path=/; SameSite=Strict${secure}`;
  antiforgery = null;
}

export function signInWithToken(token) { sessionStorage.setItem(TOKEN, token); }

export function signOut() {
  document.cookie = `${COOKIE}=; Path=/; Max-Age=0; SameSite=Strict`;
  sessionStorage.removeItem(TOKEN);
  antiforgery = null;
}

export class ApiError extends Error {
  constructor(status, detail) { super(detail || `HTTP ${status}`); this.status = status; }
}

async function send(method, path, body) {
  const headers = { Accept: "application/json" };
  const token = sessionStorage.getItem(TOKEN);
  if (token) headers.Authorization = `Bearer ${token}`;
  else if (method !== "GET") {
    if (!antiforgery) antiforgery = await send("GET", "/antiforgery/token");
    headers[antiforgery.headerName] = antiforgery.token;
  }
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(path, { method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body) });
  if (!r.ok) {
    let detail = "";
    try { const p = await r.json(); detail = p.detail || p.title || ""; } catch { /* not JSON */ }
    throw new ApiError(r.status, detail);
  }
  return r.status === 204 ? null : r.json();
}

export function get(path) { return send("GET", path); }

// POST with an optional JSON body (e.g. post(`/api/findings/${id}/acknowledge`)); resolves to the JSON answer.
export function post(path, body) { return send("POST", path, body); }

export function del(path) { return send("DELETE", path); }
