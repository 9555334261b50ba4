/**
 * One line of the access journal. A closed set of fields, all plain facts: the journal has no slot
 * where a token, key or password could be stored, and every string is redacted again on the way in.
 */
export type AuditEventType =
  | "elevationRequested"
  | "elevationApproved"
  | "elevationDenied"
  | "elevationCancelled"
  | "elevationFailed"
  | "jitInitiated"
  | "accessGranted"
  | "accessExtended"
  | "connectionOpened"
  | "connectionClosed"
  | "deactivated"
  | "expired";

export const AUDIT_EVENT_TYPES: readonly AuditEventType[] = [
  "elevationRequested",
  "elevationApproved",
  "elevationDenied",
  "elevationCancelled",
  "elevationFailed",
  "jitInitiated",
  "accessGranted",
  "accessExtended",
  "connectionOpened",
  "connectionClosed",
  "deactivated",
  "expired",
];

export interface AuditRecord {
  /** ISO-8601 UTC time (Azure's clock). */
  time: string;
  type: AuditEventType;
  vmId: string;
  vmName?: string;
  tenantId?: string;
  subscriptionId?: string;
  roleName?: string;
  /** PIM request name (GUID). */
  requestName?: string;
  /** JIT policy the request went to. */
  jitPolicyId?: string;
  port?: number;
  sourcePrefix?: string;
  /** End of what was requested or granted (ISO-8601). */
  endsAt?: string;
  durationMinutes?: number;
  justification?: string;
  ticket?: string;
  /** SSH host alias (connection events). */
  alias?: string;
  /** Short plain-language outcome or reason. */
  detail?: string;
}

/** What callers hand to the journal; it stamps the time. */
export type AuditEntry = Omit<AuditRecord, "time"> & { time?: string };

/** The port the access flow (and the connection layer) write to. */
export interface AuditSink {
  append(entry: AuditEntry): Promise<void>;
}
