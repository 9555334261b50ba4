/**
 * VS Code settings without which the extension host cannot reach the simulator. With
 * `http.systemCertificates` on (the default), VS Code's patched `https` module verifies servers
 * against the operating system's certificates only, and the simulator's CA, given through
 * NODE_EXTRA_CA_CERTS, is ignored: MSAL then fails with `endpoints_resolution_error` before any
 * request reaches the simulator (measured on code-server 4.100.3 / VS Code 1.100.3). Off, Node's own
 * store applies, which includes NODE_EXTRA_CA_CERTS. The tunnel process is plain Node and needs
 * nothing.
 */
export const SIMULATOR_TRUST_SETTINGS: Readonly<Record<string, unknown>> = {
  "http.systemCertificates": false,
};

/**
 * Prompts of code-server itself that would cover the product in the demo and in screenshots:
 * - it treats this machine as the remote and auto-forwards every port it sees opened, so the
 *   simulator's origins and each VM's sshd make it warn "Over 20 ports have been automatically
 *   forwarded" (nothing needs forwarding: the browser runs on the same machine);
 * - the first terminal says "Some keybindings don't go to the terminal by default".
 */
export const QUIET_REMOTE_SETTINGS: Readonly<Record<string, unknown>> = {
  "remote.autoForwardPorts": false,
  "terminal.integrated.showTerminalConfigPrompt": false,
};
