/**
 * One Bastion tunnel session (azure-protocols.md §1.4–§1.6): minted by `POST /api/tokens` for one
 * local connection to one VM port, used once to open the WebSocket, deleted when the connection ends.
 * Sessions are never shared or chained between connections (no `token=<previous authToken>` field):
 * the az CLI's shared `last_token` is why only its last concurrent session was ever deleted
 * (Azure/azure-cli-extensions#10137).
 */
import { JitError } from "../errors";
import { describeUntrusted } from "../ssh/untrustedText";

/** `sku.name` of a Bastion host (§1.1). */
export type BastionSku = "Basic" | "Standard" | "Premium" | "Developer" | "QuickConnect";

export interface BastionSession {
  /** `https://<dnsName>` of the Bastion (normalised, no trailing slash). */
  endpoint: string;
  /** The WebSocket to open for this session; the token in its path is the only credential. Secret. */
  websocketUrl: string;
  /** Names the session for `DELETE /api/tokens/{authToken}`. Secret. */
  authToken: string;
  nodeId: string;
}

/**
 * Normalises a Bastion endpoint: accepts `https://host[:port]` or a bare `dnsName` (`host[:port]`,
 * what ARM reports), returns `https://host[:port]` without a trailing slash or path.
 */
export function normalizeBastionEndpoint(endpointOrDnsName: string): string {
  const trimmed = endpointOrDnsName.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new JitError("InvalidSetting", `The Bastion address ${describeUntrusted(endpointOrDnsName)} is not a host name: check the Bastion's dnsName in Azure.`);
  }
  // A configuration error, not a bug: the session token must never travel in clear text.
  if (url.protocol !== "https:") throw new JitError("InvalidSetting", `The Bastion address ${describeUntrusted(`${url.protocol}//${url.host}`)} does not use https; Azure JIT Connect reaches a Bastion over https only.`);
  return `https://${url.host}`;
}

/**
 * Percent-encodes what cannot appear raw in a path segment. The az CLI interpolates tokens raw;
 * keeping every RFC 3986 `pchar` as is sends byte-for-byte what the CLI sends for any token a server
 * can actually route, while a stray `/`, `?` or `#` can no longer change the URL's meaning.
 */
export function encodePathSegment(value: string): string {
  return value.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@]/g, (c) => encodeURIComponent(c));
}

/**
 * The WebSocket URL for a session (§1.5): `/webtunnelv2/{websocketToken}?X-Node-Id={nodeId}` for
 * Basic/Standard/Premium, `/omni/webtunnel/{websocketToken}` for Developer/QuickConnect.
 *
 * Developer and QuickConnect first look up a "data pod" host with `POST /api/connection` (§1.3).
 * That lookup is not implemented: callers of those SKUs must pass the data-pod host as `endpoint`.
 */
export function bastionWebSocketUrl(endpoint: string, sku: BastionSku, websocketToken: string, nodeId: string): string {
  const host = new URL(normalizeBastionEndpoint(endpoint)).host;
  if (sku === "Developer" || sku === "QuickConnect") return `wss://${host}/omni/webtunnel/${encodePathSegment(websocketToken)}`;
  return `wss://${host}/webtunnelv2/${encodePathSegment(websocketToken)}?X-Node-Id=${encodeURIComponent(nodeId)}`;
}
