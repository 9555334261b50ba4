import assert from "node:assert/strict";
import { type IncomingMessage, type ServerResponse } from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as net from "node:net";
import { after, before, describe, test } from "node:test";
import { ensureCa, issueServerCertificate } from "../../simulator/src/tls/ca";
import { bastionWebSocketUrl, normalizeBastionEndpoint } from "../../src/core/bastion/bastionSession";
import { deleteSession, requestSession } from "../../src/core/bastion/tokenApi";
import { connectWebSocket } from "../../src/core/bastion/webSocketConnect";
import { isJitError, type JitError } from "../../src/core/errors";
import type { Logger } from "../../src/core/logger";
import { ARM_TOKEN, startTunnelWorld, type TunnelWorld, vmId } from "./support/tunnelWorld";

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** An HTTPS server (trusted through the simulator CA) that records requests and answers as told. */
async function recordingServer(answer: (req: Recorded, res: ServerResponse) => void): Promise<{ origin: string; requests: Recorded[]; close(): Promise<void> }> {
  const tls = await issueServerCertificate(await ensureCa(), ["localhost", "127.0.0.1"]);
  const requests: Recorded[] = [];
  const server = https.createServer(tls, (req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const rec = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      requests.push(rec);
      answer(rec, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    origin: `https://localhost:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function rejection(promise: Promise<unknown>): Promise<JitError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(isJitError(e), `expected a JitError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected a rejection");
}

function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (m: string | Error): void => void lines.push(String(m instanceof Error ? m.message : m));
  return { lines, trace: push, debug: push, info: push, warn: push, error: push };
}

describe("Bastion data-plane client", { timeout: 5 * 60_000 }, () => {
  let world: TunnelWorld;
  before(async () => {
    world = await startTunnelWorld({ broker: false });
  });
  after(async () => {
    await world.close();
  });

  test("sends the token request the az CLI sends, and nothing more", async () => {
    const server = await recordingServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ authToken: "auth-1", websocketToken: "ws-1", nodeId: "node-1" }));
    });
    try {
      const session = await requestSession({ endpoint: server.origin, resourceId: vmId("vm-01"), port: 22, armToken: ARM_TOKEN });
      const ipConnect = await requestSession({ endpoint: server.origin, resourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/bh-hostConnect/10.0.0.4", port: 22, armToken: ARM_TOKEN, hostname: "10.0.0.4" });
      assert.equal(ipConnect.authToken, "auth-1");
      const [first, second] = server.requests;
      assert.ok(first && second);
      assert.equal(first.method, "POST");
      assert.equal(first.url, "/api/tokens");
      assert.equal(first.headers["content-type"], "application/x-www-form-urlencoded");
      assert.equal(first.headers["x-node-id"], undefined, "no X-Node-Id: every connection gets an independent session");
      assert.deepEqual([...new URLSearchParams(first.body).entries()], [
        ["resourceId", vmId("vm-01")],
        ["protocol", "tcptunnel"],
        ["workloadHostPort", "22"],
        ["aztoken", ARM_TOKEN],
      ]);
      assert.equal(new URLSearchParams(second.body).get("hostname"), "10.0.0.4");
      assert.equal(new URLSearchParams(second.body).has("token"), false, "no chained `token` field (az #10137)");
      assert.deepEqual(session, {
        endpoint: server.origin,
        authToken: "auth-1",
        nodeId: "node-1",
        websocketUrl: `wss://${new URL(server.origin).host}/webtunnelv2/ws-1?X-Node-Id=node-1`,
      });
    } finally {
      await server.close();
    }
  });

  test("mints independent sessions on the real data plane and deletes them", async () => {
    const a = await requestSession({ endpoint: world.dataPlane.dnsName, resourceId: vmId("vm-01"), port: 22, armToken: ARM_TOKEN });
    const b = await requestSession({ endpoint: world.dataPlane.origin, resourceId: vmId("vm-01"), port: 22, armToken: ARM_TOKEN });
    assert.notEqual(a.authToken, b.authToken);
    assert.equal(a.endpoint, world.dataPlane.origin, "a bare dnsName is normalised to https://");
    assert.match(a.websocketUrl, new RegExp(`^wss://${world.dataPlane.dnsName}/webtunnelv2/[^/?]+\\?X-Node-Id=`));
    assert.equal(world.dataPlane.openSessions(), 2);
    assert.equal(await deleteSession(a.endpoint, a), "deleted");
    assert.equal(await deleteSession(b.endpoint, b), "deleted");
    assert.equal(await deleteSession(b.endpoint, b), "alreadyDeleted", "404 is fine: already gone");
    assert.equal(world.dataPlane.openSessions(), 0);
  });

  test("a refusal carries the Bastion's message, and never the ARM token", async () => {
    const badToken = await rejection(requestSession({ endpoint: world.dataPlane.origin, resourceId: vmId("vm-01"), port: 22, armToken: "expired-token" }));
    assert.equal(badToken.code, "BastionRefused");
    assert.match(badToken.message, /vm-01:22 \(HTTP 401\): The access token is invalid or expired/);
    const unknown = await rejection(requestSession({ endpoint: world.dataPlane.origin, resourceId: vmId("vm-nope"), port: 22, armToken: ARM_TOKEN }));
    assert.equal(unknown.code, "BastionRefused");
    assert.match(unknown.message, /HTTP 404\): Resource .*vm-nope not found/);
    assert.ok(!unknown.message.includes(ARM_TOKEN));
  });

  test("non-JSON error bodies (proxies, load balancers) still give a clear refusal", async () => {
    const bodies = [
      { status: 502, type: "text/html", body: "<html><body><h1>502 Bad Gateway</h1></body></html>", expect: /\(HTTP 502\)$/ },
      { status: 503, type: "text/plain", body: "upstream connect error or disconnect/reset before headers\n", expect: /\(HTTP 503\): upstream connect error/ },
      { status: 400, type: "application/json", body: '{"error":{"code":"BadRequest","message":"Bad workloadHostPort"}}', expect: /Bad workloadHostPort/ },
      { status: 500, type: "application/json", body: "", expect: /\(HTTP 500\)$/ },
    ];
    const server = await recordingServer((_req, res) => {
      const answer = bodies[server.requests.length - 1] ?? bodies[0];
      assert.ok(answer);
      res.writeHead(answer.status, { "Content-Type": answer.type });
      res.end(answer.body);
    });
    try {
      for (const b of bodies) {
        const e = await rejection(requestSession({ endpoint: server.origin, resourceId: vmId("vm-01"), port: 22, armToken: ARM_TOKEN }));
        assert.equal(e.code, "BastionRefused");
        assert.match(e.message, b.expect);
        assert.equal(e.details.status, b.status);
      }
    } finally {
      await server.close();
    }
  });

  test("a 200 without a session is a protocol failure, not a crash", async () => {
    const server = await recordingServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end('{"nodeId":"n"}');
    });
    try {
      const e = await rejection(requestSession({ endpoint: server.origin, resourceId: vmId("vm-01"), port: 22, armToken: ARM_TOKEN }));
      assert.equal(e.code, "TunnelFailed");
    } finally {
      await server.close();
    }
  });

  test("an unreachable Bastion is a NetworkError; a silent one times out; abort is a cancellation", async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const unreachable = await rejection(requestSession({ endpoint: `localhost:${port}`, resourceId: vmId("vm-01"), port: 22, armToken: ARM_TOKEN }));
    assert.equal(unreachable.code, "NetworkError");
    assert.match(unreachable.message, /Cannot reach localhost:\d+/);

    const silent = await recordingServer(() => undefined);
    try {
      const timeout = await rejection(requestSession({ endpoint: silent.origin, resourceId: vmId("vm-01"), port: 22, armToken: ARM_TOKEN, timeoutMs: 300 }));
      assert.equal(timeout.code, "Timeout");
      const controller = new AbortController();
      const pending = requestSession({ endpoint: silent.origin, resourceId: vmId("vm-01"), port: 22, armToken: ARM_TOKEN }, controller.signal);
      controller.abort();
      await assert.rejects(pending, { name: "CancellationError" });
    } finally {
      await silent.close();
    }
  });

  test("a failed delete is logged, not thrown", async () => {
    const server = await recordingServer((_req, res) => {
      res.writeHead(500, { "Content-Type": "application/json" });
      res.end('{"message":"node unavailable"}');
    });
    try {
      const logger = capturingLogger();
      assert.equal(await deleteSession(server.origin, { authToken: "secret-auth-token", nodeId: "n1" }, { logger }), "failed");
      assert.equal(server.requests[0]?.method, "DELETE");
      assert.equal(server.requests[0]?.headers["x-node-id"], "n1");
      assert.match(logger.lines.join("\n"), /HTTP 500: node unavailable/);
      assert.ok(!logger.lines.join("\n").includes("secret-auth-token"));
    } finally {
      await server.close();
    }
    const nowhere = capturingLogger();
    assert.equal(await deleteSession("localhost:1", { authToken: "t", nodeId: "n" }, { logger: nowhere }), "failed");
    assert.match(nowhere.lines.join("\n"), /failed/);
  });

  test("WebSocket URLs per SKU, tokens kept raw unless they would break the URL", () => {
    assert.equal(bastionWebSocketUrl("https://bst-1.bastion.azure.com", "Standard", "abc+/=", "n 1"), "wss://bst-1.bastion.azure.com/webtunnelv2/abc+%2F=?X-Node-Id=n%201");
    assert.equal(bastionWebSocketUrl("bst-1.bastion.azure.com", "Premium", "t", "n"), "wss://bst-1.bastion.azure.com/webtunnelv2/t?X-Node-Id=n");
    assert.equal(bastionWebSocketUrl("omnibrain.uswest.bastionglobal.azure.com", "Developer", "t", "n"), "wss://omnibrain.uswest.bastionglobal.azure.com/omni/webtunnel/t");
    assert.equal(bastionWebSocketUrl("localhost:8443", "QuickConnect", "t", "n"), "wss://localhost:8443/omni/webtunnel/t");
    assert.equal(normalizeBastionEndpoint("https://localhost:8443/"), "https://localhost:8443");
    assert.throws(() => normalizeBastionEndpoint("http://localhost:8443"), (e: unknown) => isJitError(e) && e.code === "InvalidSetting" && /does not use https/.test(e.message));
  });

  test("the WebSocket opens once per session; a used token is refused with the Bastion's reason", async () => {
    const session = await requestSession({ endpoint: world.dataPlane.origin, resourceId: vmId("vm-01"), port: 22, armToken: ARM_TOKEN });
    const { webSocket, transport } = await connectWebSocket(session.websocketUrl, { target: "vm-01:22" });
    assert.ok(transport, "the relay writes its frames on this socket");
    assert.ok(webSocket.isPaused, "paused until a relay listens, so that no byte is lost");
    const banner = new Promise<string>((resolve) => webSocket.once("message", (d: Buffer) => resolve(d.toString())));
    webSocket.resume();
    assert.match(await banner, /^SSH-2\.0-OpenSSH/);
    const again = await rejection(connectWebSocket(session.websocketUrl, { target: "vm-01:22" }));
    assert.equal(again.code, "BastionRefused");
    assert.match(again.message, /vm-01:22 \(HTTP 404\): Unknown or expired tunnel token/);
    assert.ok(!again.message.includes(new URL(session.websocketUrl).pathname.split("/").pop() ?? "<none>"), "no token in the message");
    webSocket.close(1000);
    await new Promise((r) => webSocket.once("close", r));
    assert.equal(await deleteSession(session.endpoint, session), "deleted");
  });
});
