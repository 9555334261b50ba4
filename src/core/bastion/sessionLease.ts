import type { BastionSession } from "./bastionSession";

/**
 * A session minted by the broker stays tied to the broker connection that asked for it: the broker
 * deletes the session when that connection closes, so a tunnel that dies (killed, crashed) cannot
 * leave it open on the Bastion. The tunnel holds the connection while it relays and lets go here
 * once it has deleted the session itself.
 */
const leases = new WeakMap<BastionSession, (deleted: boolean) => void>();

export function leaseSession(session: BastionSession, release: (deleted: boolean) => void): void {
  leases.set(session, release);
}

/**
 * Ends the session's lease, if it has one (sessions minted in-process have none). `deleted`: the
 * tunnel deleted the session itself, so the broker need not (it does when the delete failed).
 */
export function releaseSession(session: BastionSession, deleted: boolean): void {
  const release = leases.get(session);
  leases.delete(session);
  release?.(deleted);
}
