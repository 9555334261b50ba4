/**
 * The local broker protocol: how `dist/tunnel.js` (ssh ProxyCommand, port forwarder, askpass) asks
 * the extension for what it needs, without any secret in argv, ssh config or environment.
 *
 * Transport: a Unix socket (a named pipe on Windows) owned by the user, see core/broker/runtimeDir.ts.
 * Framing: one JSON object per line (UTF-8, `\n`), at most BROKER_MAX_LINE_BYTES per line. Every
 * request carries the protocol version `v` and an `id` the reply repeats, so a client may pipeline
 * requests on one connection. The extension and tunnel.js are shipped together, but an old VS Code
 * window may still run an older broker: a broker answers an unknown `v` with `UnsupportedVersion`
 * and the client moves on to the next broker.
 *
 * This file is shared by both processes and has no imports: types, limits and validation only.
 */

export const BROKER_PROTOCOL_VERSION = 1;

/**
 * Environment variable naming the VM whose password ssh's askpass helper asks the broker for. Not a
 * secret: a host alias, set by the extension in the terminal that runs ssh.
 */
export const ASKPASS_HOST_VARIABLE = "AZURE_JIT_ASKPASS_HOST";

/** Requests are tiny; replies carry one Bastion session (two tokens of a few KB at most). */
export const BROKER_MAX_LINE_BYTES = 64 * 1024;

/** A per-connection, single-VM Bastion session: everything the tunnel needs, and nothing more. */
export interface SessionGrant {
  /** `https://<bastion dnsName>`: where to DELETE the session when the connection ends. */
  endpoint: string;
  /** `wss://…/webtunnelv2/<websocketToken>?X-Node-Id=…`; the token in the path is the credential. */
  websocketUrl: string;
  /** Identifies the session for `DELETE /api/tokens/<authToken>`. Secret. */
  authToken: string;
  nodeId: string;
}

export interface PongInfo {
  /** Process id of the extension host that runs this broker. */
  pid: number;
  protocol: number;
  product: "azure-jit-connect";
}

/** Operation name → request parameters and successful result. */
export interface BrokerOperations {
  openSession: { params: { host: string; port: number }; result: { session: SessionGrant } };
  getPassword: { params: { host: string }; result: { password: string } };
  ping: { params: Record<never, never>; result: { pong: PongInfo } };
  /**
   * Sent on the connection that got a session, once the tunnel deleted it: the broker, which
   * deletes a connection's sessions when it closes, need not. No reply.
   */
  sessionDeleted: { params: Record<never, never>; result: Record<never, never> };
}

export type BrokerOperation = keyof BrokerOperations;

export type BrokerRequest = {
  [K in BrokerOperation]: { v: number; id: number; op: K } & BrokerOperations[K]["params"];
}[BrokerOperation];

export type BrokerReply<K extends BrokerOperation = BrokerOperation> =
  | ({ v: number; id: number; ok: true } & BrokerOperations[K]["result"])
  | BrokerFailure;

export interface BrokerFailure {
  v: number;
  /** null when the request could not be parsed far enough to know its id. */
  id: number | null;
  ok: false;
  /** A product error code (see core/errors.ts) or one of the protocol codes below. */
  code: string;
  /** One line a user can act on; never a secret. */
  message: string;
}

/** Codes the broker itself uses for protocol-level failures. */
export const BrokerProtocolCodes = {
  badRequest: "InvalidInput",
  unsupportedVersion: "UnsupportedVersion",
  busy: "Busy",
  timeout: "Timeout",
  internal: "Internal",
} as const;

// ---------------------------------------------------------------------------------------------
// Validation (both sides validate what they receive: the socket is a trust boundary in name only,
// but a malformed message must fail clearly instead of crashing the extension host).

export type Parsed<T> = { ok: true; value: T } | { ok: false; id: number | null; message: string };

const MAX_HOST_LENGTH = 255;
const PRINTABLE = /^[\x21-\x7e]+$/;

/** A host alias as ssh passes it (`%h`): printable ASCII without spaces, bounded. */
export function isValidHost(host: unknown): host is string {
  return typeof host === "string" && host.length > 0 && host.length <= MAX_HOST_LENGTH && PRINTABLE.test(host);
}

export function isValidPort(port: unknown): port is number {
  return typeof port === "number" && Number.isInteger(port) && port >= 1 && port <= 65535;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseJsonObject(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Parses one request line (server side). */
export function parseBrokerRequest(line: string): Parsed<BrokerRequest> {
  const msg = parseJsonObject(line);
  if (!msg) return { ok: false, id: null, message: "request is not a JSON object" };
  const id = typeof msg.id === "number" && Number.isSafeInteger(msg.id) ? msg.id : null;
  if (id === null) return { ok: false, id, message: "request has no numeric id" };
  if (typeof msg.v !== "number") return { ok: false, id, message: "request has no protocol version" };
  const v = msg.v;
  switch (msg.op) {
    case "ping":
      return { ok: true, value: { v, id, op: "ping" } };
    case "sessionDeleted":
      return { ok: true, value: { v, id, op: "sessionDeleted" } };
    case "openSession":
      if (!isValidHost(msg.host)) return { ok: false, id, message: "openSession needs a host (printable, at most 255 characters)" };
      if (!isValidPort(msg.port)) return { ok: false, id, message: "openSession needs a port between 1 and 65535" };
      return { ok: true, value: { v, id, op: "openSession", host: msg.host, port: msg.port } };
    case "getPassword":
      if (!isValidHost(msg.host)) return { ok: false, id, message: "getPassword needs a host (printable, at most 255 characters)" };
      return { ok: true, value: { v, id, op: "getPassword", host: msg.host } };
    default:
      return { ok: false, id, message: `unknown operation ${JSON.stringify(String(msg.op)).slice(0, 40)}` };
  }
}

function isSessionGrant(value: unknown): value is SessionGrant {
  return (
    isRecord(value) &&
    typeof value.endpoint === "string" &&
    typeof value.websocketUrl === "string" &&
    typeof value.authToken === "string" &&
    typeof value.nodeId === "string"
  );
}

function isPongInfo(value: unknown): value is PongInfo {
  return isRecord(value) && typeof value.pid === "number" && typeof value.protocol === "number" && value.product === "azure-jit-connect";
}

const resultValidators: { [K in BrokerOperation]: (msg: Record<string, unknown>) => BrokerOperations[K]["result"] | undefined } = {
  openSession: (msg) => (isSessionGrant(msg.session) ? { session: msg.session } : undefined),
  getPassword: (msg) => (typeof msg.password === "string" ? { password: msg.password } : undefined),
  ping: (msg) => (isPongInfo(msg.pong) ? { pong: msg.pong } : undefined),
  sessionDeleted: () => ({}),
};

/** Parses one reply line for a request of kind `op` (client side). */
export function parseBrokerReply<K extends BrokerOperation>(op: K, line: string): Parsed<BrokerReply<K>> {
  const msg = parseJsonObject(line);
  if (!msg) return { ok: false, id: null, message: "reply is not a JSON object" };
  const id = typeof msg.id === "number" ? msg.id : null;
  const v = typeof msg.v === "number" ? msg.v : 0;
  if (msg.ok === false) {
    const code = typeof msg.code === "string" ? msg.code : BrokerProtocolCodes.internal;
    const message = typeof msg.message === "string" ? msg.message : "the broker refused without a message";
    return { ok: true, value: { v, id, ok: false, code, message } };
  }
  if (msg.ok !== true || id === null) return { ok: false, id, message: "reply has neither ok nor an id" };
  const result = resultValidators[op](msg);
  if (!result) return { ok: false, id, message: `reply to ${op} is missing its result` };
  return { ok: true, value: { v, id, ok: true, ...result } };
}

/** Serialises one message as a protocol line. */
export function encodeBrokerLine(message: BrokerRequest | BrokerReply): string {
  return `${JSON.stringify(message)}\n`;
}
