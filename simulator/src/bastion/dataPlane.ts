/**
 * The Azure Bastion native-client data plane, as `az network bastion tunnel|ssh` uses it. One
 * instance serves one Bastion host on its own HTTPS origin; ARM reports that origin's `host:port`
 * as the Bastion's `dnsName`, which is all a client needs to find it (§1.10).
 *
 * Modelled from the az CLI bastion extension (tunnel.py, custom.py) and the reference (§1.4–§1.7):
 * - `POST /api/tokens`, form-encoded `resourceId`, `protocol=tcptunnel`, `workloadHostPort`,
 *   `aztoken`, optional `token` and `hostname`, optional `X-Node-Id` header → 200
 *   `{"authToken","nodeId","websocketToken"}`; any error is non-200 with `{"message"}` (the CLI
 *   json-parses every error body and reads `message`).
 * - WebSocket on `/webtunnelv2/{websocketToken}?X-Node-Id={nodeId}` or
 *   `/omni/webtunnel/{websocketToken}`; the path token is the only credential (no Authorization
 *   header, cookie or subprotocol); raw TCP bytes in binary messages, one WebSocket per TCP
 *   connection; pings answered; TCP EOF ⇄ close 1000.
 * - `DELETE /api/tokens/{authToken}` with optional `X-Node-Id` → 204, 404 when already gone.
 * - One independent session per token request (the newer CLI's model, §1.7).
 *
 * Guesses (UNVERIFIED: Microsoft documents none of this):
 * - the WebSocket token is single-use, and refusals before the upgrade are a plain 404;
 * - a connection the Bastion cannot make (VM stopped, NSG closed) is a WebSocket closed with 1011
 *   and a reason, after the upgrade (the token request only checks what ARM knows);
 * - token format and lifetime (ours: 256-bit random, valid until deleted or the server stops); the
 *   `token` form field (previous session) is accepted and ignored;
 * - a DELETE closes the session's live tunnel;
 * - validation errors are 400 `{"message"}` (wrong method included), unknown paths 404.
 *
 * The server side of the WebSocket is our own (websocket/): the relay is in the benchmark path,
 * and `ws` without its optional native addon unmasks client data one byte at a time, which made
 * uploads through the tunnel CPU-bound on the simulator. Ours streams each frame's payload to the
 * VM as it arrives, unmasked in place a word at a time. Clients (tests, the product) use `ws`.
 */
import * as https from "node:https";
import { type AddressInfo, type Socket } from "node:net";
import { type BastionDataPlane, type BastionDataPlaneOptions } from "../contracts";
import { sendJson } from "./httpReply";
import { SessionStore } from "./sessionStore";
import { handleHttpRequest } from "./tokenRoutes";
import { handleTunnelUpgrade, type TunnelContext } from "./tunnelUpgrade";

export async function startBastionDataPlane(options: BastionDataPlaneOptions): Promise<BastionDataPlane> {
  const { hooks } = options;
  const sessions = new SessionStore();
  const ctx: TunnelContext = { bastionId: options.bastionId, hooks, sessions, tunnels: new Set() };

  const server = https.createServer({ cert: options.tls.cert, key: options.tls.key, noDelay: true });
  server.on("request", (req, res) => {
    handleHttpRequest(ctx, req, res).catch(() => {
      if (!res.headersSent) sendJson(res, hooks, 500, { message: "Internal error in the simulated Bastion" });
      else res.destroy();
    });
  });
  server.on("upgrade", (req, socket, head: Buffer) => {
    handleTunnelUpgrade(ctx, req, socket, head).catch(() => socket.destroy());
  });
  server.on("clientError", (_err, socket) => socket.destroy());
  // Every raw connection, so that close() also ends sockets waiting in an injected latency or in
  // a WebSocket close handshake (the HTTP server stops tracking a socket once it is upgraded).
  const connections = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    connections.add(socket);
    socket.on("close", () => connections.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;

  return {
    origin: `https://localhost:${port}`,
    dnsName: `localhost:${port}`,
    activeRelays: () => ctx.tunnels.size,
    openSessions: () => sessions.size,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const tunnel of ctx.tunnels) tunnel.terminate();
        ctx.tunnels.clear();
        for (const session of sessions.all()) sessions.delete(session);
        for (const socket of connections) socket.destroy();
      });
      return closing;
    },
  };
}
