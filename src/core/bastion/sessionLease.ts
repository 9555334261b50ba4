import type { BastionSession } from "./bastionSession";

/**
 * A session minted by the broker stays tied to the broker connection that asked for it: the broker
 * deletes the session when that connection closes, so a tunnel that dies (killed, crashed) cannot
 * leave it open on the Bastion. The tunnel holds the connection while it relays and lets go here
 * once it has deleted the session itself.
 */
const leases = new WeakMap<BastionSession, () => void>();

export function leaseSession(session: BastionSession, release: () => void): void {
  leases.set(session, release);
}

/** Ends the session's lease, if it has one (sessions minted in-process have none). */
export function releaseSession(session: BastionSession): void {
  const release = leases.get(session);
  leases.delete(session);
  release?.();
}
