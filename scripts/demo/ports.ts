import * as fs from "node:fs";
import * as net from "node:net";

/** A port the demo needs, and what it is for (named in the error). */
export interface NeededPort {
  port: number;
  use: string;
}

/** Resolves true when `host:port` can be bound now (the way the simulator and code-server bind it). */
function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Socket inodes listening on `port` (IPv4 and IPv6), from /proc/net/tcp*. Linux only; empty elsewhere. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = fs.readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is "ADDR:PORT"; state 0A is LISTEN; the inode is the tenth field.
      if (fields.length > 9 && fields[1]?.endsWith(`:${hexPort}`) && fields[3] === "0A") inodes.add(fields[9]!);
    }
  }
  return inodes;
}

/** "pid 123 (node scripts/demo.ts)" for the process holding a listening socket, when we may look. */
export function describePortOwner(port: number): string | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  let entries: string[];
  try {
    entries = fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return undefined;
  }
  for (const pid of entries) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && inodes.has(inode)) {
        const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
        return `pid ${pid} (${cmdline.length > 120 ? `${cmdline.slice(0, 117)}...` : cmdline})`;
      }
    }
  }
  return undefined;
}

export class PortsTakenError extends Error {}

/**
 * Fails with one message naming every taken port (the demo only fixes code-server's, with --port), its use and, where visible, the process holding
 * it, before anything starts: a half-started demo with a confusing EADDRINUSE helps nobody.
 */
export async function assertPortsFree(ports: readonly NeededPort[], host = "127.0.0.1"): Promise<void> {
  // Owner description -> the ports it holds ("" when the owner is not visible to us).
  const byOwner = new Map<string, NeededPort[]>();
  for (const needed of ports) {
    if (await canListen(needed.port, host)) continue;
    const owner = describePortOwner(needed.port) ?? "";
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), needed]);
  }
  if (byOwner.size === 0) return;
  const lines = ["The demo cannot start: ports it needs are taken."];
  for (const [owner, held] of byOwner) {
    const list = held.map((p) => `${p.port} (${p.use})`).join(", ");
    lines.push(owner ? `  ${owner} holds ${host}:${list}` : `  ${host}:${list} in use (by a process we cannot inspect)`);
    if (/scripts\/demo\.ts/.test(owner)) lines.push("  That is a demo already running: use it, or stop it with Ctrl+C in its terminal.");
  }
  lines.push("Choose another port with --port N, or leave --port out: the demo then takes a free one.");
  throw new PortsTakenError(lines.join("\n"));
}
