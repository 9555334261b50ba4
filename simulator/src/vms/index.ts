/**
 * Simulated Linux VMs: one real OpenSSH sshd per VM on 127.0.0.1 (see vmHost.ts), plus the helpers
 * the control plane needs to provision them (key pairs, the password account, `{{osUser}}`).
 */
export { createVmHost, type SshdVmHost, type VmHostOptions } from "./vmHost";
export { generateKeyPair } from "./keyPairs";
export { ensurePasswordUser, PASSWORD_USER, type PasswordUserResult } from "./passwordUser";
export { osUser } from "./osUser";
export { sweepStrayVms } from "./straySweep";
export { VM_FILES } from "./vmFolder";
