import { createHash } from "node:crypto";
import { type IncomingMessage } from "node:http";
import { type Duplex } from "node:stream";

const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

export type HandshakeCheck = { ok: true; key: string } | { ok: false; status: number; message: string; headers?: Record<string, string> };

/**
 * Checks an upgrade request against RFC 6455 §4.2.1. No subprotocol and no extension is ever
 * selected (the az CLI asks for neither; per-message deflate would only cost CPU on SSH's
 * already-encrypted bytes).
 */
export function checkUpgradeRequest(req: IncomingMessage): HandshakeCheck {
  if (req.method !== "GET") return { ok: false, status: 400, message: "WebSocket upgrades use GET" };
  if (!/\bwebsocket\b/i.test(req.headers.upgrade ?? "")) return { ok: false, status: 400, message: "Expected Upgrade: websocket" };
  if (!/\bupgrade\b/i.test(req.headers.connection ?? "")) return { ok: false, status: 400, message: "Expected Connection: Upgrade" };
  if (req.headers["sec-websocket-version"] !== "13") {
    return { ok: false, status: 426, message: "Unsupported WebSocket version", headers: { "Sec-WebSocket-Version": "13" } };
  }
  const key = req.headers["sec-websocket-key"]?.trim() ?? "";
  if (!/^[A-Za-z0-9+/]{22}==$/.test(key)) return { ok: false, status: 400, message: "Invalid Sec-WebSocket-Key" };
  return { ok: true, key };
}

/** Writes the 101 answer; from here on the socket speaks WebSocket frames. */
export function acceptUpgrade(socket: Duplex, key: string, date: string): void {
  const accept = createHash("sha1").update(key + WEBSOCKET_GUID).digest("base64");
  socket.write(
    [
      "HTTP/1.1 101 Switching Protocols",
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Accept: ${accept}`,
      `Date: ${date}`,
      "",
      "",
    ].join("\r\n"),
  );
}
