import * as dns from "node:dns";
import * as https from "node:https";
import type { LookupFunction } from "node:net";

/**
 * Names under `.localhost` are the loopback address (RFC 6761 §6.3: name resolution libraries
 * should answer them with loopback themselves). Browsers and systemd-resolved do; glibc without
 * nss-myhostname does not, so a custom cloud served on this machine (an emulator, Azure Stack's
 * development kit behind a local proxy) with per-service host names would not resolve. Every other
 * name goes to the system resolver unchanged.
 */
export function isLoopbackName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  return name === "localhost" || name.endsWith(".localhost");
}

export const loopbackAwareLookup: LookupFunction = (hostname, options, callback) => {
  if (!isLoopbackName(hostname)) {
    dns.lookup(hostname, options, callback);
    return;
  }
  if (options.all) (callback as unknown as (e: null, all: dns.LookupAddress[]) => void)(null, [{ address: "127.0.0.1", family: 4 }]);
  else callback(null, "127.0.0.1", 4);
};

let sharedAgent: https.Agent | undefined;

/** The https agent for requests to `.localhost` names (keep-alive, like Node's global agent). */
export function loopbackAgent(): https.Agent {
  sharedAgent ??= new https.Agent({ keepAlive: true, lookup: loopbackAwareLookup });
  return sharedAgent;
}
