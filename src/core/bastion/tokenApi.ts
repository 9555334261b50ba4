import type * as https from "node:https";
import { isCancellation } from "../cancellation";
import { errorMessage, JitError } from "../errors";
import { type Logger, nullLogger } from "../logger";
import { redact } from "../redact";
import { type BastionSession, type BastionSku, bastionWebSocketUrl, encodePathSegment, normalizeBastionEndpoint } from "./bastionSession";
import { httpsCall } from "./httpsCall";

const USER_AGENT = "azure-jit-connect";

export interface SessionRequest {
  /** `https://<dnsName>` of the Bastion (a bare `dnsName` is accepted too). */
  endpoint: string;
  /** ARM id of the target VM (or the `bh-hostConnect/<ip>` pseudo id for IP connect, §1.1). */
  resourceId: string;
  /** Target port on the VM (22 for SSH). */
  port: number;
  /** The user's token for the cloud's `activeDirectoryResourceId` (see `getBastionAccessToken`). Secret: it goes in the form body, nowhere else. */
  armToken: string;
  /** Target private IP, IP-connect only. */
  hostname?: string;
  /** Decides the WebSocket path (§1.5). Default "Standard". */
  sku?: BastionSku;
  agent?: https.Agent;
  timeoutMs?: number;
}

/**
 * Mints one session for one connection: `POST https://{endpoint}/api/tokens` with the form the az
 * CLI sends (§1.4): `resourceId`, `protocol=tcptunnel`, `workloadHostPort`, `aztoken`, plus
 * `hostname` for IP connect. No `token` field and no `X-Node-Id` header: every connection gets an
 * independent session (the newer CLI's fix for Azure/azure-cli-extensions#10137).
 *
 * Throws `BastionRefused` (with the server's `{"message"}`) on any status other than 200,
 * `NetworkError`/`Timeout` when the Bastion cannot be reached, `TunnelFailed` on a malformed 200.
 */
export async function requestSession(request: SessionRequest, signal?: AbortSignal): Promise<BastionSession> {
  const endpoint = normalizeBastionEndpoint(request.endpoint);
  const form = new URLSearchParams({
    resourceId: request.resourceId,
    protocol: "tcptunnel",
    workloadHostPort: String(request.port),
    aztoken: request.armToken,
  });
  if (request.hostname) form.set("hostname", request.hostname);
  const target = `${targetName(request.resourceId, request.hostname)}:${request.port}`;
  const res = await httpsCall(
    {
      method: "POST",
      url: `${endpoint}/api/tokens`,
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json", "User-Agent": USER_AGENT },
      body: form.toString(),
      agent: request.agent,
      timeoutMs: request.timeoutMs,
    },
    signal,
  );
  if (res.status !== 200) {
    const message = serverMessage(res.body, [request.armToken]);
    throw new JitError("BastionRefused", `The Bastion refused a tunnel to ${target} (HTTP ${res.status})${message ? `: ${message}` : ""}`, {
      details: { status: res.status, endpoint },
    });
  }
  const body = parseJson(res.body);
  const authToken = body?.authToken;
  const websocketToken = body?.websocketToken;
  const nodeId = body?.nodeId;
  if (typeof authToken !== "string" || typeof websocketToken !== "string" || !authToken || !websocketToken) {
    throw new JitError("TunnelFailed", `The Bastion answered the session request for ${target} without a session token`, {
      details: { endpoint },
    });
  }
  const node = typeof nodeId === "string" ? nodeId : "";
  return { endpoint, authToken, nodeId: node, websocketUrl: bastionWebSocketUrl(endpoint, request.sku ?? "Standard", websocketToken, node) };
}

export type DeleteOutcome = "deleted" | "alreadyDeleted" | "failed";

export interface DeleteSessionOptions {
  logger?: Logger;
  agent?: https.Agent;
  /** Default 5 s: a close path must not hang on cleanup. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Ends a session: `DELETE https://{endpoint}/api/tokens/{authToken}` with `X-Node-Id` (§1.6). Called
 * on every close path. 200/204 mean deleted, 404 means already gone; anything else, or a network
 * failure, is logged and reported as "failed", never thrown: the connection is over either way.
 */
export async function deleteSession(
  endpoint: string,
  session: Pick<BastionSession, "authToken" | "nodeId">,
  options: DeleteSessionOptions = {},
): Promise<DeleteOutcome> {
  const logger = options.logger ?? nullLogger;
  const base = normalizeBastionEndpoint(endpoint);
  try {
    const res = await httpsCall(
      {
        method: "DELETE",
        url: `${base}/api/tokens/${encodePathSegment(session.authToken)}`,
        headers: { "User-Agent": USER_AGENT, ...(session.nodeId ? { "X-Node-Id": session.nodeId } : {}) },
        agent: options.agent,
        timeoutMs: options.timeoutMs ?? 5_000,
      },
      options.signal,
    );
    if (res.status === 200 || res.status === 204) return "deleted";
    if (res.status === 404) return "alreadyDeleted";
    const message = serverMessage(res.body, [session.authToken]);
    logger.warn(`Bastion session delete at ${base} answered HTTP ${res.status}${message ? `: ${message}` : ""}`);
    return "failed";
  } catch (e) {
    if (isCancellation(e)) return "failed";
    logger.warn(`Bastion session delete at ${base} failed: ${redact(errorMessage(e), [session.authToken])}`);
    return "failed";
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The human part of an error body: `{"message"}` (the Bastion's shape), `{"error":{"message"}}`
 * (ARM's), or else the first line of a plain-text body. Proxies and load balancers answer with
 * HTML or plain text, which the az CLI crashes on; we keep one redacted line of text, no HTML.
 */
export function serverMessage(body: string, secrets: readonly string[] = []): string {
  const json = parseJson(body);
  const nested = isRecord(json?.error) ? json.error.message : undefined;
  const fromJson = [json?.message, json?.Message, nested].find((m): m is string => typeof m === "string");
  const fromText = json || /^\s*</.test(body) ? "" : (body.split(/\r?\n/).find((l) => l.trim()) ?? "");
  const line = (fromJson ?? fromText).replace(/\s+/g, " ").trim();
  return redact(line.length > 300 ? `${line.slice(0, 300)}…` : line, secrets);
}

/** "vm-01" out of a VM ARM id, or the IP for IP connect: for messages only. */
function targetName(resourceId: string, hostname?: string): string {
  if (hostname) return hostname;
  const last = resourceId.split("/").filter(Boolean).pop();
  return last ?? resourceId;
}
