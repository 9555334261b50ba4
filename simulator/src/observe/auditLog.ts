import type { AuditEntry } from "../contracts";

export interface RecordedAuditEntry extends AuditEntry {
  seq: number;
  time: string;
}

/** The control API's request journal (`GET /_sim/audit`). Bounded; never holds a secret (callers redact). */
export class AuditLog {
  private readonly entries: RecordedAuditEntry[] = [];
  private seq = 0;

  constructor(
    private readonly now: () => number,
    private readonly capacity = 20_000,
  ) {}

  record(entry: AuditEntry): void {
    this.entries.push({ seq: ++this.seq, time: new Date(this.now()).toISOString(), ...entry });
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }

  since(seq = 0): RecordedAuditEntry[] {
    return this.entries.filter((e) => e.seq > seq);
  }
}

/** Replaces secrets that may appear in URLs (query values of token-like parameters). */
export function redactPath(pathWithQuery: string): string {
  return pathWithQuery.replace(/([?&](?:code|device_code|client_secret|refresh_token|access_token|aztoken|token|sig)=)[^&]*/gi, "$1<redacted>");
}
