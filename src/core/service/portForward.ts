import { spawn } from "node:child_process";
import * as net from "node:net";
import { CancellationError } from "../cancellation";
import { classifySshFailure, sshFailureError } from "../ssh/sshFailure";
import { JitError } from "../errors";
import type { Logger } from "../logger";
import type { SshInvocation } from "./sshInvocation";

/** A running `ssh -N -L` forward from a local port to a port on the VM. */
export interface PortForward {
  alias: string;
  localPort: number;
  remotePort: number;
  /** `http://127.0.0.1:<localPort>/` */
  url: string;
  /** Resolves when ssh exits (the forward is then gone). */
  exited: Promise<{ code: number | null; stderr: string }>;
  close(): void;
}

/** Finds a free loopback port (the kernel picks one; a race with another process is possible but harmless: ssh then fails clearly). */
export function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * Forwards 127.0.0.1:<localPort> to localhost:<remotePort> on the VM through SSH (over our Bastion
 * tunnel), as data scientists do for Jupyter or TensorBoard. SSH forwarding needs no extra JIT rule:
 * only port 22 is opened to the Bastion. Resolves once the local port accepts connections.
 */
export async function startPortForward(
  options: { ssh: SshInvocation; alias: string; remotePort: number; localPort?: number; logger: Logger },
  signal?: AbortSignal,
): Promise<PortForward> {
  const localPort = options.localPort ?? (await freeLocalPort());
  const [cmd, ...args] = options.ssh.argv;
  if (!cmd) throw new JitError("Internal", "No ssh command.");
  const forwardArgs = ["-N", "-o", "ExitOnForwardFailure=yes", "-L", `127.0.0.1:${localPort}:localhost:${options.remotePort}`];
  // The alias is the last argument; options go before it.
  const argv = [...args.slice(0, -1), ...forwardArgs, ...args.slice(-1)];
  const child = spawn(cmd, argv, { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...options.ssh.env } });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    child.once("exit", (code) => resolve({ code, stderr }));
    child.once("error", (e) => resolve({ code: -1, stderr: `${stderr}\n${e.message}` }));
  });
  const close = (): void => {
    if (child.exitCode === null) child.kill("SIGTERM");
  };
  signal?.addEventListener("abort", close, { once: true });
  // Ready when the local port accepts a connection (ssh binds it after authenticating).
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (signal?.aborted) {
      close();
      throw new CancellationError();
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      const { stderr: err } = await exited;
      const failure = classifySshFailure({ exitCode: child.exitCode, stderr: err, vmName: options.alias });
      options.logger.warn(`Port forwarding ${localPort} → ${options.remotePort} on ${options.alias} stopped (${failure.cause}): ${failure.evidence ?? "no output"}`);
      throw sshFailureError(failure);
    }
    if (await accepts(localPort)) break;
    if (Date.now() > deadline) {
      close();
      throw new JitError("Timeout", `Port forwarding to ${options.alias} did not start within 2 minutes.`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  options.logger.info(`Forwarding 127.0.0.1:${localPort} to port ${options.remotePort} on ${options.alias}`);
  return { alias: options.alias, localPort, remotePort: options.remotePort, url: `http://127.0.0.1:${localPort}/`, exited, close };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
