/**
 * A minimal ssh ProxyCommand for tests: bridges stdio ⇄ one Bastion tunnel WebSocket.
 *
 *   ProxyCommand node --import tsx test/support/bastionRelayProxy.ts <session.json>
 *
 * <session.json> (0600, written by the test) holds `{"url": "wss://localhost:<port>/webtunnelv2/..."}`:
 * the WebSocket token is a secret, so it travels in a private file, never in argv. The CA comes
 * from NODE_EXTRA_CA_CERTS (tests run under scripts/with-sim-ca.mjs). Backpressure both ways, like
 * the product's tunnel: stdin is paused while the WebSocket queue is long, the WebSocket is paused
 * while stdout is full. Exit code 0 after a normal close (1000), 1 otherwise, with the close code
 * and reason on stderr.
 */
import { readFileSync } from "node:fs";
import { type Socket } from "node:net";
import { type RawData, WebSocket } from "ws";

const HIGH_WATER = 1024 * 1024;

const sessionFile = process.argv[2];
if (!sessionFile) {
  process.stderr.write("usage: bastionRelayProxy.ts <session.json>\n");
  process.exit(2);
}
const { url } = JSON.parse(readFileSync(sessionFile, "utf8")) as { url: string };
const ws = new WebSocket(url, { perMessageDeflate: false });
const stdin = process.stdin;
const stdout = process.stdout;
stdin.pause();

// The socket under the WebSocket: its 'drain' says when the WebSocket's queue has emptied.
let raw: Socket | undefined;
ws.on("upgrade", (res) => {
  raw = res.socket;
  raw.setNoDelay(true);
});
ws.on("open", () => {
  stdin.on("data", (chunk: Buffer) => {
    ws.send(chunk);
    if (ws.bufferedAmount > HIGH_WATER) stdin.pause();
  });
  raw?.on("drain", () => {
    if (ws.bufferedAmount <= HIGH_WATER) stdin.resume();
  });
  stdin.on("end", () => ws.close(1000));
  stdin.resume();
});
ws.on("message", (data: RawData) => {
  const chunk = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  if (!stdout.write(chunk)) {
    ws.pause();
    stdout.once("drain", () => ws.resume());
  }
});
ws.on("unexpected-response", (_req, res) => {
  process.stderr.write(`bastionRelayProxy: upgrade refused: HTTP ${res.statusCode}\n`);
  process.exit(1);
});
ws.on("error", (err) => {
  process.stderr.write(`bastionRelayProxy: ${err.message}\n`);
  process.exit(1);
});
ws.on("close", (code, reason) => {
  if (code !== 1000) process.stderr.write(`bastionRelayProxy: closed ${code} ${reason.toString()}\n`);
  stdout.end(() => process.exit(code === 1000 ? 0 : 1));
});
stdout.on("error", () => {
  // ssh went away: nothing left to relay to.
  ws.terminate();
  process.exit(1);
});

