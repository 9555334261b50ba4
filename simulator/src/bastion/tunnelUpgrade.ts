import { type IncomingMessage } from "node:http";
import * as net from "node:net";
import { type Duplex } from "node:stream";
import { httpDate, redactPath, refuseUpgrade, retryAfterHeader } from "./httpReply";
import { startRelay, type Relay } from "./relay";
import { type RouteContext, delay } from "./tokenRoutes";
import { CLOSE } from "./websocket/frameParser";
import { acceptUpgrade, checkUpgradeRequest } from "./websocket/handshake";
import { TunnelWebSocket } from "./websocket/tunnelWebSocket";

export interface TunnelContext extends RouteContext {
  /** Every upgraded connection until both it and its TCP leg are closed (activeRelays()). */
  tunnels: Set<Pick<Relay, "terminate">>;
}

/**
 * The WebSocket upgrade of a tunnel (§1.5): `/webtunnelv2/{websocketToken}?X-Node-Id={nodeId}`
 * (Basic/Standard/Premium) or `/omni/webtunnel/{websocketToken}` (Developer/QuickConnect). The path
 * token is the only credential. Unknown, used, deleted or wrong-node tokens are refused before the
 * upgrade; a connection the Bastion may not make (VM stopped, JIT closed) is a WebSocket closed
 * with 1011 and the reason.
 */
export async function handleTunnelUpgrade(ctx: TunnelContext, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  socket.on("error", () => undefined);
  const path = redactPath(req.url);
  const audit = (status: number, principal?: string, detail?: string): void =>
    ctx.hooks.audit({ service: "bastion", method: "GET", path, status, ...(principal ? { principal } : {}), ...(detail ? { detail } : {}) });
  const refuse = (status: number, message: string, detail = message, headers: Record<string, string> = {}): void => {
    refuseUpgrade(socket, ctx.hooks, status, message, headers);
    audit(status, undefined, detail);
  };

  const fault = ctx.hooks.fault("bastion", "GET", path);
  if (fault?.latencyMs) await delay(fault.latencyMs);
  if (socket.destroyed) return;
  if (fault?.status) return refuse(fault.status, `Simulated fault: HTTP ${fault.status}`, "fault injected", retryAfterHeader(fault.retryAfterSeconds));

  const url = new URL(req.url ?? "/", "https://bastion.invalid");
  const match = /^\/(?:webtunnelv2|(omni)\/webtunnel)\/([^/]+)$/i.exec(url.pathname);
  if (!match) return refuse(404, "Not found");
  const handshake = checkUpgradeRequest(req);
  if (!handshake.ok) return refuse(handshake.status, handshake.message, handshake.message, handshake.headers);
  const isOmni = match[1] !== undefined;
  const session = ctx.sessions.byWebsocketToken(safeDecode(match[2] ?? ""));
  const nodeId = url.searchParams.get("X-Node-Id");
  // One message for every refusal: the caller learns nothing about which tokens exist.
  const unknown = "Unknown or expired tunnel token";
  if (!session) return refuse(404, unknown, "unknown websocket token");
  if (session.websocketUsed) return refuse(404, unknown, "websocket token already used");
  if (isOmni ? nodeId !== null && nodeId !== session.nodeId : nodeId !== session.nodeId) return refuse(404, unknown, "X-Node-Id does not match the session");
  session.websocketUsed = true;

  if (socket instanceof net.Socket) {
    socket.setTimeout(0);
    socket.setNoDelay(true);
  }
  acceptUpgrade(socket, handshake.key, httpDate(ctx.hooks));

  const decision = ctx.hooks.authority.authorizeConnect(ctx.bastionId, session.target);
  if (!decision.ok) {
    const entry = { terminate: () => ws.terminate() };
    const ws = new TunnelWebSocket(socket, { binary: () => undefined, drain: () => undefined, closed: () => ctx.tunnels.delete(entry) });
    ctx.tunnels.add(entry);
    ws.close(CLOSE.internalError, decision.reason);
    audit(101, session.principal, `connect refused: ${decision.reason}`);
    return;
  }
  const relay = startRelay({
    socket,
    head,
    host: decision.host,
    port: decision.port,
    ...(fault?.dropWebSocketAfterBytes !== undefined ? { dropAfterBytes: fault.dropWebSocketAfterBytes } : {}),
    onEnd: () => {
      ctx.tunnels.delete(relay);
      if (session.closeTunnel === closeTunnel) delete session.closeTunnel;
    },
  });
  const closeTunnel = (reason: string): void => relay.close(reason);
  session.closeTunnel = closeTunnel;
  ctx.tunnels.add(relay);
  audit(101, session.principal, `relay to port ${session.target.port}`);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
