import * as net from "node:net";

/**
 * An ephemeral port that is free on 127.0.0.1 right now. Another process may take it before sshd
 * binds it; the caller detects that from sshd's log and retries with another port.
 */
export function pickFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("Could not pick a free port"))));
    });
  });
}
