import { randomBytes } from "node:crypto";
import type { ClaimsRequest } from "./claimsRequest";

/** A user's sign-in (what a refresh token stands for): who, and how strongly they authenticated. */
export interface SignInSession {
  id: string;
  upn: string;
  clientId: string;
  mfa: boolean;
  deviceCompliant: boolean;
  location: string;
  authTime: number;
}

export interface DeviceCodeApproval {
  upn: string;
  mfa: boolean;
  deviceCompliant: boolean;
  location: string;
}

export interface DeviceCodeEntry {
  deviceCode: string;
  userCode: string;
  clientId: string;
  /** The tenant segment the client used (`organizations`, a GUID, a domain). */
  tenantSegment: string;
  scope: string;
  claims: ClaimsRequest;
  expiresAt: number;
  state: "pending" | "approved" | "denied" | "redeemed";
  approval?: DeviceCodeApproval;
  /** Resolves waiting polls when the code is approved or denied. */
  waiters: (() => void)[];
}

const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ23456789";

/** Device codes, sign-in sessions and the refresh tokens that point at them. In memory, per run. */
export class SignInStore {
  private readonly sessions = new Map<string, SignInSession>();
  private readonly refreshTokens = new Map<string, { sessionId: string; clientId: string }>();
  private readonly deviceCodes = new Map<string, DeviceCodeEntry>();
  private readonly byUserCode = new Map<string, DeviceCodeEntry>();
  /** Graph's `signInSessionsValidFromDateTime` per user (lower-case UPN), set by revokeSignInSessions. */
  private readonly validFrom = new Map<string, number>();

  newDeviceCode(init: Omit<DeviceCodeEntry, "deviceCode" | "userCode" | "state" | "waiters">): DeviceCodeEntry {
    const bytes = randomBytes(9);
    const userCode = [...bytes].map((b) => USER_CODE_ALPHABET[b % USER_CODE_ALPHABET.length]).join("");
    const entry: DeviceCodeEntry = { ...init, deviceCode: randomBytes(32).toString("base64url"), userCode, state: "pending", waiters: [] };
    this.deviceCodes.set(entry.deviceCode, entry);
    this.byUserCode.set(userCode, entry);
    return entry;
  }

  deviceCode(code: string): DeviceCodeEntry | undefined {
    return this.deviceCodes.get(code);
  }

  byUser(userCode: string): DeviceCodeEntry | undefined {
    return this.byUserCode.get(userCode.replace(/[\s-]/g, "").toUpperCase());
  }

  settle(entry: DeviceCodeEntry, state: "approved" | "denied", approval?: DeviceCodeApproval): void {
    entry.state = state;
    entry.approval = approval;
    for (const w of entry.waiters.splice(0)) w();
  }

  pendingDeviceCodes(now: number): DeviceCodeEntry[] {
    return [...this.deviceCodes.values()].filter((d) => d.state === "pending" && d.expiresAt > now);
  }

  newSession(s: Omit<SignInSession, "id">): SignInSession {
    const session = { ...s, id: randomBytes(12).toString("hex") };
    this.sessions.set(session.id, session);
    return session;
  }

  issueRefreshToken(session: SignInSession): string {
    const token = `0.AZSIM.${randomBytes(48).toString("base64url")}`;
    this.refreshTokens.set(token, { sessionId: session.id, clientId: session.clientId });
    return token;
  }

  /**
   * Graph's `revokeSignInSessions`: every sign-in before `now` stops counting. Refresh tokens of those
   * sessions are refused (AADSTS50173), and CAE-capable resources refuse access tokens issued before
   * it; other access tokens stay valid until they expire.
   */
  revokeSignInSessions(upn: string, now: number): void {
    this.validFrom.set(upn.toLowerCase(), now);
  }

  /** When the user's tokens start to be valid again (undefined: never revoked). */
  tokensValidFrom(upn: string): number | undefined {
    return this.validFrom.get(upn.toLowerCase());
  }

  redeemRefreshToken(token: string): { session: SignInSession; clientId: string } | undefined {
    const rt = this.refreshTokens.get(token);
    const session = rt ? this.sessions.get(rt.sessionId) : undefined;
    return rt && session ? { session, clientId: rt.clientId } : undefined;
  }
}
