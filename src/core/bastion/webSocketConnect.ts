import type { IncomingMessage } from "node:http";
import type * as https from "node:https";
import type { Duplex } from "node:stream";
import WebSocket from "ws";
import { CancellationError } from "../cancellation";
import { errorMessage, JitError } from "../errors";
import { redact } from "../redact";
import { serverMessage } from "./tokenApi";

export interface WebSocketConnectOptions {
  /**
   * An https.Agent to open the TLS connection: a long-lived forwarder passes one so that its TLS
   * sessions are cached and later WebSockets resume them (a cheaper handshake per connection).
   */
  agent?: https.Agent;
  /** Default 15 s. */
  handshakeTimeoutMs?: number;
  /** For messages ("vm-01:22"). */
  target?: string;
}

/** Messages from the Bastion are raw TCP bytes; a megabyte is far above what it sends at once. */
const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

/** An open tunnel WebSocket and the socket under it (where the relay writes its data frames). */
export interface OpenWebSocket {
  webSocket: WebSocket;
  transport: Duplex;
}

/**
 * Opens the session's WebSocket (§1.5): binary frames, no per-message deflate (SSH is encrypted, so
 * it does not compress, and deflate would cost a copy and CPU per frame), no redirects (the URL
 * holds the credential), `TCP_NODELAY` (interactive keystrokes must not wait for Nagle).
 *
 * The WebSocket is returned paused (see the 'open' handler); the relay resumes it.
 *
 * Rejects with `BastionRefused` when the Bastion answers the upgrade with an HTTP error (unknown or
 * used token, VM unreachable), `NetworkError`/`Timeout` when it cannot be reached, and
 * `CancellationError` on abort. Never puts the URL in a message.
 */
export function connectWebSocket(url: string, options: WebSocketConnectOptions = {}, signal?: AbortSignal): Promise<OpenWebSocket> {
  if (signal?.aborted) return Promise.reject(new CancellationError());
  const host = new URL(url).host;
  const target = options.target ?? host;
  return new Promise<OpenWebSocket>((resolve, reject) => {
    let settled = false;
    let transport: Duplex | undefined;
    const ws = new WebSocket(url, {
      perMessageDeflate: false,
      followRedirects: false,
      handshakeTimeout: options.handshakeTimeoutMs ?? 15_000,
      maxPayload: MAX_PAYLOAD_BYTES,
      // Payloads are binary; there is no text to validate.
      skipUTF8Validation: true,
      origin: `https://${host}`,
      headers: { "User-Agent": "azure-jit-connect" },
      ...(options.agent ? { agent: options.agent } : {}),
    });
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      ws.removeAllListeners();
      // A late 'error' from the half-open socket must not become an uncaught exception.
      ws.on("error", () => undefined);
      ws.terminate();
      reject(error);
    };
    const onAbort = (): void => fail(new CancellationError());
    signal?.addEventListener("abort", onAbort, { once: true });

    ws.on("upgrade", (res: IncomingMessage) => {
      // ws sets this too; we say it here because latency depends on it.
      res.socket.setNoDelay(true);
      transport = res.socket;
    });
    ws.on("unexpected-response", (req, res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = (): void => {
        req.destroy();
        const message = serverMessage(Buffer.concat(chunks).toString("utf8"));
        fail(
          new JitError("BastionRefused", `The Bastion refused the tunnel to ${target} (HTTP ${res.statusCode ?? 0})${message ? `: ${message}` : ""}`, {
            details: { status: res.statusCode ?? 0, host },
          }),
        );
      };
      res.on("data", (chunk: Buffer) => {
        if (size < 8192) chunks.push(chunk);
        size += chunk.length;
      });
      res.on("end", done);
      res.on("error", done);
    });
    ws.on("error", (e: Error) => {
      const text = redact(errorMessage(e));
      const code = /timed out|timeout/i.test(text) ? "Timeout" : "NetworkError";
      fail(new JitError(code, `Cannot open the tunnel to ${target} through the Bastion at ${host}: ${text}`, { cause: e }));
    });
    ws.on("open", () => {
      // Paused until the relay listens: the first bytes (the SSH banner) may arrive with the 101
      // response, and ws would emit them before our promise continuation runs.
      ws.pause();
      if (settled) return;
      if (!transport) {
        fail(new JitError("TunnelFailed", `The WebSocket to ${target} opened without its socket`));
        return;
      }
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      ws.removeAllListeners("unexpected-response");
      ws.removeAllListeners("upgrade");
      ws.removeAllListeners("error");
      // ws always follows 'error' with 'close', which is what the relay acts on; this listener only
      // keeps an error that arrives before the relay subscribes from becoming an uncaught exception.
      ws.on("error", () => undefined);
      resolve({ webSocket: ws, transport });
    });
  });
}
