/**
 * Helpers for Bastion data-plane tests: a controllable in-test authority and hooks, the simulator's
 * TLS certificate, token requests the way the az CLI sends them, and ProxyCommand session files.
 */
import * as path from "node:path";
import { build } from "esbuild";
import {
  type AuditEntry,
  type BastionAuthority,
  type BastionTarget,
  type ConnectDecision,
  type DataPlaneHooks,
  type FaultAction,
  type TokenDecision,
} from "../../simulator/src/contracts";
import { ensureCa, issueServerCertificate, type ServerCertificate } from "../../simulator/src/tls/ca";
import { REPO_ROOT, writePrivateFile } from "./sshdTestKit";

let tls: Promise<ServerCertificate> | undefined;

/** A `localhost`/`127.0.0.1` certificate from the simulator CA (the one NODE_EXTRA_CA_CERTS trusts). */
export function simulatorTls(): Promise<ServerCertificate> {
  tls ??= ensureCa().then((ca) => issueServerCertificate(ca, ["localhost", "127.0.0.1"]));
  return tls;
}

/**
 * The control plane's stand-in: targets are registered per VM id; switches refuse token requests
 * or connections; every call is recorded.
 */
export class TestAuthority implements BastionAuthority {
  /** vmId → where the Bastion connects (sshd's port, or any TCP server). */
  readonly targets = new Map<string, { host: string; port: number }>();
  refuseToken: { status: number; message: string } | undefined;
  refuseConnect: string | undefined;
  principal = "alice@contoso.example";
  readonly tokenRequests: { bastionId: string; form: URLSearchParams }[] = [];
  readonly connects: { bastionId: string; target: BastionTarget }[] = [];

  authorizeTokenRequest(bastionId: string, form: URLSearchParams): TokenDecision {
    this.tokenRequests.push({ bastionId, form });
    if (this.refuseToken) return { ok: false, ...this.refuseToken };
    const vmId = form.get("resourceId") ?? "";
    if (!this.targets.has(vmId)) return { ok: false, status: 404, message: `Resource ${vmId} not found` };
    return { ok: true, target: { vmId, port: Number(form.get("workloadHostPort")) }, principal: this.principal };
  }

  authorizeConnect(bastionId: string, target: BastionTarget): ConnectDecision {
    this.connects.push({ bastionId, target });
    if (this.refuseConnect) return { ok: false, reason: this.refuseConnect };
    const where = this.targets.get(target.vmId);
    return where ? { ok: true, ...where } : { ok: false, reason: "VM not found" };
  }
}

/** Hooks with a fixed simulated clock, an audit log and a queue of faults (each used once). */
export class TestHooks implements DataPlaneHooks {
  readonly auditLog: AuditEntry[] = [];
  readonly faults: { match: RegExp; action: FaultAction }[] = [];
  /** 2030-01-02T03:04:05Z: far from the real clock, so the Date header visibly comes from here. */
  simulatedNow = Date.UTC(2030, 0, 2, 3, 4, 5);

  constructor(readonly authority: TestAuthority) {}

  now(): number {
    return this.simulatedNow;
  }

  audit(entry: AuditEntry): void {
    this.auditLog.push(entry);
  }

  fault(_service: AuditEntry["service"], method: string, pathname: string): FaultAction | undefined {
    const index = this.faults.findIndex((f) => f.match.test(`${method} ${pathname}`));
    if (index < 0) return undefined;
    const [rule] = this.faults.splice(index, 1);
    return rule?.action;
  }
}

export interface TokenResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** `POST /api/tokens` exactly as the az CLI sends it (form-encoded, §1.4). */
export async function requestToken(origin: string, fields: Record<string, string>, init: { contentType?: string; method?: string } = {}): Promise<TokenResponse> {
  const res = await fetch(`${origin}/api/tokens`, {
    method: init.method ?? "POST",
    headers: { "Content-Type": init.contentType ?? "application/x-www-form-urlencoded" },
    ...(init.method === "GET" ? {} : { body: new URLSearchParams(fields).toString() }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

/** Stands in for the ARM access token; the in-test authority does not check it. */
export const TEST_AZTOKEN = "eyJ0eXAiOiJKV1QifQ.test.signature";

export function tokenForm(vmId: string, port = 22): Record<string, string> {
  return { resourceId: vmId, protocol: "tcptunnel", workloadHostPort: String(port), aztoken: TEST_AZTOKEN };
}

export interface TunnelSession {
  authToken: string;
  nodeId: string;
  websocketToken: string;
}

export function asSession(body: Record<string, unknown>): TunnelSession {
  const { authToken, nodeId, websocketToken } = body;
  if (typeof authToken !== "string" || typeof nodeId !== "string" || typeof websocketToken !== "string") {
    throw new Error(`Not a session: ${JSON.stringify(Object.keys(body))}`);
  }
  return { authToken, nodeId, websocketToken };
}

/** The Basic/Standard/Premium WebSocket URL (§1.5). */
export function tunnelUrl(dnsName: string, session: TunnelSession): string {
  return `wss://${dnsName}/webtunnelv2/${session.websocketToken}?X-Node-Id=${session.nodeId}`;
}

export async function deleteSession(origin: string, session: TunnelSession): Promise<number> {
  const res = await fetch(`${origin}/api/tokens/${session.authToken}`, { method: "DELETE", headers: { "X-Node-Id": session.nodeId } });
  await res.arrayBuffer();
  return res.status;
}

const proxyBundles = new Map<string, Promise<string>>();

/**
 * bastionRelayProxy.ts bundled to plain JavaScript in `dir` (once per folder): ssh starts one
 * ProxyCommand per connection, and plain node starts in a fraction of the time tsx needs, which
 * matters with 20 concurrent connections on a small machine. The product's tunnel is bundled too.
 */
export function relayProxyBundle(dir: string): Promise<string> {
  let bundle = proxyBundles.get(dir);
  if (!bundle) {
    const outfile = path.join(dir, "bastionRelayProxy.cjs");
    bundle = build({
      entryPoints: [path.join(REPO_ROOT, "test/support/bastionRelayProxy.ts")],
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node20",
      outfile,
      external: ["bufferutil", "utf-8-validate"],
      logLevel: "silent",
    }).then(() => outfile);
    proxyBundles.set(dir, bundle);
  }
  return bundle;
}

/**
 * The ssh ProxyCommand for one tunnel: the WebSocket URL (a secret) goes into a 0600 file in
 * `dir`; only that file's path is on the command line.
 */
export async function proxyCommandFor(dir: string, name: string, url: string): Promise<string> {
  const file = await writePrivateFile(dir, `${name}.session.json`, JSON.stringify({ url }));
  return `${process.execPath} ${await relayProxyBundle(dir)} ${file}`;
}
