import { isValidHost, isValidPort } from "../shared/brokerProtocol";

/** Parsed command line of `tunnel.js`. Nothing here is secret: hosts, ports and flags only. */
export type TunnelCommand =
  | { kind: "stdio"; host: string; port: number; common: CommonOptions }
  | { kind: "port"; host: string; localPort: number; remotePort: number; common: CommonOptions }
  | { kind: "askpass"; prompt: string | undefined; common: CommonOptions }
  | { kind: "help" };

export interface CommonOptions {
  verbose: boolean;
  /** How long to wait for a VS Code window to start its broker when none runs. */
  waitForBrokerMs: number;
}

export type ParsedArgs = { ok: true; command: TunnelCommand } | { ok: false; message: string };

/** Default wait for a broker: covers Remote-SSH reconnecting while a window reloads. */
export const DEFAULT_BROKER_WAIT_SECONDS = 5;

export const USAGE = `Usage:
  tunnel.js stdio <host> [--port 22]                          relay stdin/stdout to <host> (ssh ProxyCommand)
  tunnel.js port <host> [--local-port 0] [--remote-port 22]   forward 127.0.0.1:<local-port> to <host>
  tunnel.js askpass [prompt]                                  SSH_ASKPASS helper; host from AZURE_JIT_ASKPASS_HOST

Options:
  --verbose              diagnostics on stderr
  --wait-broker <s>      wait this long for a VS Code window running Azure JIT Connect (default ${DEFAULT_BROKER_WAIT_SECONDS})

<host> is the VM's host alias from the Azure JIT Connect ssh config. Sessions come from the
extension over a private local socket; nothing secret is passed on the command line.

Port mode prints one JSON line on stdout when it listens:
  {"event":"ready","host":"vm-01","address":"127.0.0.1","port":40123,"remotePort":22}

Exit codes:
  0  the connection ended normally, or the forwarder was stopped
  1  unexpected failure (a bug)
  2  bad arguments or environment
  3  no VS Code window runs Azure JIT Connect
  4  access refused (no active access, unknown or stopped VM, Bastion refusal)
  5  the Bastion could not be reached
  6  the connection dropped mid-session
  7  port mode: the local port cannot be used
  130/143  stopped by SIGINT/SIGTERM
`;

/** Parses `process.argv.slice(2)`. */
export function parseTunnelArgs(argv: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  const valued = new Set(["--port", "--local-port", "--remote-port", "--wait-broker"]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg : arg.slice(0, eq);
      if (valued.has(name)) {
        const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
        if (value === undefined) return { ok: false, message: `${name} needs a value` };
        flags.set(name, value);
      } else if (name === "--verbose" || name === "--help") {
        flags.set(name, true);
      } else {
        return { ok: false, message: `unknown option ${name}` };
      }
    } else if (arg === "-h") {
      flags.set("--help", true);
    } else {
      positional.push(arg);
    }
  }
  const [kind, ...rest] = positional;
  if (flags.has("--help") || kind === "help" || kind === undefined) return { ok: true, command: { kind: "help" } };

  const wait = numberFlag(flags, "--wait-broker", DEFAULT_BROKER_WAIT_SECONDS);
  if (wait === undefined || wait < 0 || wait > 600) return { ok: false, message: "--wait-broker must be a number of seconds between 0 and 600" };
  const common: CommonOptions = { verbose: flags.has("--verbose"), waitForBrokerMs: Math.round(wait * 1000) };
  const allowed: Record<string, string[]> = { stdio: ["--port"], port: ["--local-port", "--remote-port"], askpass: [] };
  const mine = allowed[kind];
  if (!mine) return { ok: false, message: `unknown command ${JSON.stringify(kind)} (expected stdio, port or askpass)` };
  for (const name of flags.keys()) {
    if (valued.has(name) && name !== "--wait-broker" && !mine.includes(name)) return { ok: false, message: `${name} does not apply to ${kind}` };
  }

  if (kind === "askpass") {
    // ssh runs SSH_ASKPASS with the prompt as its only argument.
    return { ok: true, command: { kind: "askpass", prompt: rest.length > 0 ? rest.join(" ") : undefined, common } };
  }
  const [host, ...extra] = rest;
  if (host === undefined) return { ok: false, message: `${kind} needs a host` };
  if (!isValidHost(host)) return { ok: false, message: `not a host alias: ${JSON.stringify(String(rest[0]).slice(0, 80))}` };
  if (extra.length > 0) return { ok: false, message: `unexpected argument ${JSON.stringify(extra[0])}` };

  if (kind === "stdio") {
    const port = numberFlag(flags, "--port", 22);
    if (!isValidPort(port)) return { ok: false, message: "--port must be between 1 and 65535" };
    return { ok: true, command: { kind: "stdio", host, port, common } };
  }
  const localPort = numberFlag(flags, "--local-port", 0);
  const remotePort = numberFlag(flags, "--remote-port", 22);
  if (localPort === undefined || !Number.isInteger(localPort) || localPort < 0 || localPort > 65535) return { ok: false, message: "--local-port must be between 0 and 65535" };
  if (!isValidPort(remotePort)) return { ok: false, message: "--remote-port must be between 1 and 65535" };
  return { ok: true, command: { kind: "port", host, localPort, remotePort, common } };
}

function numberFlag(flags: Map<string, string | true>, name: string, fallback: number): number | undefined {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  if (raw === true || !/^\d+(\.\d+)?$/.test(raw)) return undefined;
  return Number(raw);
}
