import { type IncomingMessage, type ServerResponse } from "node:http";
import { type DataPlaneHooks } from "../contracts";
import { redactPath, retryAfterHeader, sendJson, sendNoContent } from "./httpReply";
import { type SessionStore } from "./sessionStore";

/** What the HTTP routes need from the data plane. */
export interface RouteContext {
  bastionId: string;
  hooks: DataPlaneHooks;
  sessions: SessionStore;
}

const MAX_FORM_BYTES = 256 * 1024;
/** The fields the az CLI always sends (§1.4); `token` and `hostname` are optional. */
const REQUIRED_FIELDS = ["resourceId", "protocol", "workloadHostPort", "aztoken"] as const;

/** Serves every plain HTTP request of the Bastion origin (the WebSocket upgrade is elsewhere). */
export async function handleHttpRequest(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? "GET";
  const path = redactPath(req.url);
  const audit = (status: number, principal?: string, detail?: string): void =>
    ctx.hooks.audit({ service: "bastion", method, path, status, ...(principal ? { principal } : {}), ...(detail ? { detail } : {}) });

  const fault = ctx.hooks.fault("bastion", method, path);
  if (fault?.latencyMs) await delay(fault.latencyMs);
  if (fault?.status) {
    sendJson(res, ctx.hooks, fault.status, { message: `Simulated fault: HTTP ${fault.status}` }, retryAfterHeader(fault.retryAfterSeconds));
    audit(fault.status, undefined, "fault injected");
    return;
  }

  const pathname = (req.url ?? "/").split("?")[0] ?? "/";
  if (/^\/api\/tokens\/?$/i.test(pathname)) {
    if (method !== "POST") return reply(400, `${method} is not supported on /api/tokens; use POST`);
    await issueToken(ctx, req, res, audit);
    return;
  }
  const deleteMatch = /^\/api\/tokens\/([^/]+)$/i.exec(pathname);
  if (deleteMatch) {
    if (method !== "DELETE") return reply(400, `${method} is not supported on /api/tokens/{token}; use DELETE`);
    deleteSession(ctx, req, res, safeDecode(deleteMatch[1] ?? ""), audit);
    return;
  }
  reply(404, "Not found");

  function reply(status: number, message: string): void {
    req.resume();
    sendJson(res, ctx.hooks, status, { message });
    audit(status, undefined, message);
  }
}

/** `POST /api/tokens`: validate the form, ask the authority, mint a session. */
async function issueToken(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, audit: (status: number, principal?: string, detail?: string) => void): Promise<void> {
  const fail = (status: number, message: string): void => {
    sendJson(res, ctx.hooks, status, { message });
    audit(status, undefined, message);
  };
  const contentType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (contentType !== "application/x-www-form-urlencoded") {
    req.resume();
    return fail(400, "Content-Type must be application/x-www-form-urlencoded");
  }
  const body = await readBody(req, MAX_FORM_BYTES);
  if (body === undefined) return fail(413, "Request body too large");
  const form = new URLSearchParams(body);
  const missing = REQUIRED_FIELDS.filter((f) => !form.get(f));
  if (missing.length > 0) return fail(400, `Missing form field(s): ${missing.join(", ")}`);
  const port = Number(form.get("workloadHostPort"));
  if (!Number.isInteger(port) || port < 1 || port > 65535) return fail(400, "workloadHostPort must be a port number");
  if (form.get("protocol") !== "tcptunnel") return fail(400, "protocol must be tcptunnel");

  const decision = ctx.hooks.authority.authorizeTokenRequest(ctx.bastionId, form);
  if (!decision.ok) return fail(decision.status, decision.message);
  const session = ctx.sessions.create(decision.target, decision.principal, ctx.hooks.now());
  sendJson(res, ctx.hooks, 200, { authToken: session.authToken, nodeId: session.nodeId, websocketToken: session.websocketToken });
  audit(200, decision.principal, `session for port ${decision.target.port}`);
}

/** `DELETE /api/tokens/{authToken}`: 204, or 404 when unknown (the CLI ignores 404, §1.6). */
function deleteSession(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, authToken: string, audit: (status: number, principal?: string, detail?: string) => void): void {
  req.resume();
  const session = ctx.sessions.byAuthToken(authToken);
  const nodeHeader = req.headers["x-node-id"];
  const nodeId = Array.isArray(nodeHeader) ? nodeHeader[0] : nodeHeader;
  if (!session || (nodeId && nodeId !== session.nodeId)) {
    sendJson(res, ctx.hooks, 404, { message: "Session not found" });
    audit(404, undefined, session ? "X-Node-Id does not match the session" : "unknown session");
    return;
  }
  ctx.sessions.delete(session);
  session.closeTunnel?.("Session deleted");
  sendNoContent(res, ctx.hooks);
  audit(204, session.principal, "session deleted");
}

function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
