// Talking to the Alignment API. The API key lives in the `alignment-key` cookie (SameSite=Strict), which the host's
// API-key handler reads; an OIDC access token, when used, is kept for this tab only and sent as a bearer token.
const COOKIE = "alignment-key";
const TOKEN = "alignment-token";

export function signedIn() {
  return document.cookie.split("; ").some(c => c.startsWith(COOKIE + "=")) || !!sessionStorage.getItem(TOKEN);
}

export function signInWithKey(key) {
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${COOKIE}=${encodeURIComponent(key)}; Path=/; SameSite=Strict${secure}`;
}

export function signInWithToken(token) { sessionStorage.setItem(TOKEN, token); }

export function signOut() {
  document.cookie = `${COOKIE}=; Path=/; Max-Age=0; SameSite=Strict`;
  sessionStorage.removeItem(TOKEN);
}

export class ApiError extends Error {
  constructor(status, detail) { super(detail || `HTTP ${status}`); this.status = status; }
}

export async function get(path) {
  const headers = { Accept: "application/json" };
  const token = sessionStorage.getItem(TOKEN);
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(path, { headers, credentials: "same-origin" });
  if (!r.ok) {
    let detail = "";
    try { const p = await r.json(); detail = p.detail || p.title || ""; } catch { /* not JSON */ }
    throw new ApiError(r.status, detail);
  }
  return r.json();
}
