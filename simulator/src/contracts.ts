/**
 * The seam between the simulator's control plane (Entra, ARM, Key Vault, control API: the state of
 * the simulated world) and its data plane (the Bastion WebSocket relay and the sshd processes that
 * play the VMs). The control plane decides; the data plane carries bytes and asks before it does.
 */

// ---------------------------------------------------------------------------------------------
// Simulated VMs (real OpenSSH sshd processes on loopback)

/** What the control plane asks the VM host to run for one Linux VM. */
export interface VmSshSpec {
  /** ARM id of the VM (used as the key everywhere). */
  vmId: string;
  vmName: string;
  /** The OS account sshd authenticates (sshd can only log in real OS users). */
  loginUser: string;
  /** OpenSSH public-key lines accepted for `loginUser`. */
  authorizedKeys: string[];
  /** Whether password authentication is enabled (only meaningful when the account has a known password). */
  passwordAuthentication: boolean;
  /**
   * Microsoft Entra ID login (AADSSHLoginForLinux): sshd trusts this CA and, for these OS accounts
   * (lower-cased UPNs, created beforehand), asks `checkUrl` at each login (see vms/entraLogin.ts).
   */
  entraLogin?: { caPublicKey: string; checkUrl: string; users: string[] };
}

export interface RunningVm {
  vmId: string;
  /** sshd listens on 127.0.0.1:port. */
  port: number;
  /** The VM's host public key, as an OpenSSH line ("ssh-ed25519 AAAA..."). */
  hostPublicKey: string;
  /** Sessions get AZSIM_VM=<vmName> and AZSIM_VM_HOME=<homeDir>: proof, on the VM side, that a command ran there. */
  homeDir: string;
  /** sshd's own log (LogLevel VERBOSE). */
  logFile: string;
}

export interface VmHost {
  /** Starts (or restarts) sshd for this VM. Idempotent for a running VM with the same spec. */
  start(spec: VmSshSpec): Promise<RunningVm>;
  /** Stops the VM's sshd; resolves when the process is gone. No-op when not running. */
  stop(vmId: string): Promise<void>;
  /** Stops every sshd this host started. Must leave no process behind, even if the simulator dies (see vms/). */
  stopAll(): Promise<void>;
  get(vmId: string): RunningVm | undefined;
  /**
   * A running VM rebuilt from its image: sshd restarts with a newly generated host key (what a
   * reimaged or recreated VM presents, and why pinned known_hosts entries stop matching).
   * Resolves undefined when the VM is not running.
   */
  rebuild(vmId: string): Promise<RunningVm | undefined>;
}

export type KeyFormat = "openssh-ed25519" | "pem-rsa";

export interface GeneratedKeyPair {
  /** The whole private key file text: what gets stored as the Key Vault secret value. */
  privateKey: string;
  /** OpenSSH public-key line. */
  publicKey: string;
  format: KeyFormat;
}

// ---------------------------------------------------------------------------------------------
// Bastion data plane

export interface BastionTarget {
  vmId: string;
  port: number;
}

/** Answer to `POST /api/tokens`: a target to relay to later, or the HTTP error to send as `{"message": ...}`. */
export type TokenDecision =
  | { ok: true; target: BastionTarget; principal: string }
  | { ok: false; status: number; message: string };

/** Answer when a WebSocket opens: where to connect, or why the Bastion cannot reach the VM. */
export type ConnectDecision =
  | { ok: true; host: string; port: number }
  | { ok: false; reason: string };

/** Implemented by the control plane; the data plane calls it and never decides access itself. */
export interface BastionAuthority {
  /**
   * Validates a token request for the Bastion `bastionId`: the `aztoken` form field (signature,
   * audience, expiry on the simulated clock), the SKU and `enableTunneling`, the caller's read
   * access to the VM, that the VM's VNet is the Bastion's or peered with it, and the form itself
   * (`resourceId`, `protocol=tcptunnel`, `workloadHostPort`).
   */
  authorizeTokenRequest(bastionId: string, form: URLSearchParams): TokenDecision;
  /**
   * Called when the WebSocket for a session opens, and again on every new session: the VM must be
   * running and the NSG must let the Bastion subnet reach the port (an active JIT request whose
   * source prefix covers the Bastion subnet). Existing relays are not cut when JIT expires (NSGs are
   * stateful), exactly like Azure.
   */
  authorizeConnect(bastionId: string, target: BastionTarget): ConnectDecision;
}

/** One recorded request (the control API's audit log). Never holds a secret. */
export interface AuditEntry {
  service: "login" | "arm" | "arm.pim" | "arm.jit" | "arm.graph" | "keyvault" | "bastion" | "control";
  method: string;
  /** Path with secrets (tokens in paths) replaced by "<redacted>". */
  path: string;
  status: number;
  principal?: string;
  detail?: string;
  /** The raw path when the client sent a run of slashes (served as if collapsed, like ARM). */
  nonCanonicalPath?: string;
}

/** A fault to apply to one request, chosen by the control plane from `/_sim/faults` rules. */
export interface FaultAction {
  latencyMs?: number;
  /** Answer with this status instead (429, 500, 503...). */
  status?: number;
  retryAfterSeconds?: number;
  /** WebSocket only: close the relay abruptly after this many bytes (either direction). */
  dropWebSocketAfterBytes?: number;
  /**
   * A hostile or broken service: a JSON answer's `nextLink` is rewritten to this origin (scheme,
   * host and port), path and query kept. Tests that a client follows a list to no other host.
   */
  nextLinkOrigin?: string;
}

export interface DataPlaneHooks {
  authority: BastionAuthority;
  /** Simulated time in ms since the epoch (for the Date header and session bookkeeping). */
  now(): number;
  audit(entry: AuditEntry): void;
  /** The fault to apply to this request, if any (consumes one use of a counted rule). */
  fault(service: AuditEntry["service"], method: string, path: string): FaultAction | undefined;
}

export interface BastionDataPlaneOptions {
  /** ARM id of the Bastion host this origin serves. */
  bastionId: string;
  /** TLS key and certificate for `localhost` / `127.0.0.1`. */
  tls: { cert: string; key: string };
  /** 0 (default) for an ephemeral port. */
  port?: number;
  hooks: DataPlaneHooks;
}

export interface BastionDataPlane {
  /** `https://localhost:<port>` */
  readonly origin: string;
  /** What ARM reports as `properties.dnsName`: `localhost:<port>` (§1.10). */
  readonly dnsName: string;
  /** Sessions with an open WebSocket relay. */
  activeRelays(): number;
  /** Sessions issued and not yet deleted. */
  openSessions(): number;
  close(): Promise<void>;
}
