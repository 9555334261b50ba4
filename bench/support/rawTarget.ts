/**
 * A raw TCP service standing in for a VM port, in its own process, for the raw-relay benchmarks
 * (no SSH: what the tunnel itself can carry). One command line per connection:
 *   `down <n>`           → n pattern bytes, then FIN;
 *   `up <n> [<MB/s>]`    → "go\n", then reads n bytes (at most <MB/s> if given: a deliberately
 *                          slow reader), checks them against the pattern, answers `ok <n> <bad>\n`;
 *   `echo`               → echoes every byte back.
 * Prints `{"port":N}` when listening; exits when stdin closes.
 */
import * as net from "node:net";
import { matchesPattern, writePattern } from "./pattern";

const server = net.createServer({ noDelay: true }, (socket) => {
  socket.setNoDelay(true);
  socket.on("error", () => undefined);
  let head = Buffer.alloc(0);
  const onHead = (chunk: Buffer): void => {
    head = Buffer.concat([head, chunk]);
    const nl = head.indexOf(10);
    if (nl < 0) return;
    socket.off("data", onHead);
    const [command, arg, rateArg] = head.subarray(0, nl).toString("utf8").trim().split(/\s+/);
    const rest = head.subarray(nl + 1);
    const n = Number(arg);
    if (command === "down") {
      void writePattern(socket, n).then(() => socket.end());
    } else if (command === "up") {
      receive(socket, n, rest, rateArg ? Number(rateArg) * 1024 * 1024 : undefined);
      socket.write("go\n");
    } else if (command === "echo") {
      if (rest.length > 0) socket.write(rest);
      socket.on("data", (c: Buffer) => socket.write(c));
      socket.on("end", () => socket.end());
    } else {
      socket.end("bad command\n");
    }
  };
  socket.on("data", onHead);
});

function receive(socket: net.Socket, total: number, first: Buffer, bytesPerSecond: number | undefined): void {
  let got = 0;
  let bad = 0;
  let answered = false;
  const started = performance.now();
  const take = (chunk: Buffer): void => {
    if (!matchesPattern(chunk, got)) bad++;
    got += chunk.length;
    if (got >= total && !answered) {
      answered = true;
      socket.end(`ok ${got} ${bad}\n`);
      return;
    }
    if (bytesPerSecond !== undefined) {
      // Ahead of the allowed rate: stop reading until the schedule catches up.
      const due = (got / bytesPerSecond) * 1000 - (performance.now() - started);
      if (due > 1) {
        socket.pause();
        setTimeout(() => socket.resume(), due);
      }
    }
  };
  if (first.length > 0) take(first);
  socket.on("data", take);
}

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === "object" && address ? address.port : 0 })}\n`);
});
process.stdin.on("end", () => process.exit(0));
process.stdin.on("close", () => process.exit(0));
process.stdin.resume();
