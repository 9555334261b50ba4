import { randomBytes, randomUUID } from "node:crypto";
import { type BastionTarget } from "../contracts";

/** One issued tunnel session (`POST /api/tokens`), bound to its target and principal. */
export interface BastionSession {
  /** Names the session in `DELETE /api/tokens/{authToken}`. */
  readonly authToken: string;
  /** The Bastion node that holds the session: `X-Node-Id` in the WebSocket URL and on DELETE. */
  readonly nodeId: string;
  /** The only credential of the WebSocket upgrade (path token); single-use. */
  readonly websocketToken: string;
  readonly target: BastionTarget;
  readonly principal: string;
  readonly createdAt: number;
  websocketUsed: boolean;
  /** Closes the session's WebSocket (and its TCP leg) if one is open. */
  closeTunnel?: (reason: string) => void;
}

/** 256 bits, URL-safe: tokens are interpolated raw into URL paths by the az CLI (§1.5). */
function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export class SessionStore {
  private readonly byAuth = new Map<string, BastionSession>();
  private readonly byWebsocket = new Map<string, BastionSession>();

  create(target: BastionTarget, principal: string, now: number): BastionSession {
    const session: BastionSession = {
      authToken: newToken(),
      nodeId: randomUUID(),
      websocketToken: newToken(),
      target,
      principal,
      createdAt: now,
      websocketUsed: false,
    };
    this.byAuth.set(session.authToken, session);
    this.byWebsocket.set(session.websocketToken, session);
    return session;
  }

  byAuthToken(authToken: string): BastionSession | undefined {
    return this.byAuth.get(authToken);
  }

  byWebsocketToken(websocketToken: string): BastionSession | undefined {
    return this.byWebsocket.get(websocketToken);
  }

  delete(session: BastionSession): void {
    this.byAuth.delete(session.authToken);
    this.byWebsocket.delete(session.websocketToken);
  }

  all(): BastionSession[] {
    return [...this.byAuth.values()];
  }

  get size(): number {
    return this.byAuth.size;
  }
}
