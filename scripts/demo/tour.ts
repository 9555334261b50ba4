import { paletteTitle } from "../../test/e2e/support/commandTitles";

/** What the demo prints once everything is up, and writes as the workspace's README.md. */
export interface TourInput {
  workbenchUrl: string;
  deviceLoginUrl: string;
  controlUrl: string;
  caCertPath: string;
  user: { upn: string; displayName: string };
  /** VM names of the running scenario: the tour only mentions those. */
  vmNames: readonly string[];
  /** Why password VMs cannot log in here (the simulator needs root for their OS account), per VM. */
  passwordUnavailable?: ReadonlyMap<string, string>;
  startSeconds: number;
}

/** One line per demo VM (docs/ARCHITECTURE.md, "The demo scenario"), in the order worth trying. */
function vmTour(input: TourInput): [vm: string, line: string][] {
  const request = paletteTitle("azureJit.requestAccess");
  const approve = paletteTitle("azureJit.demo.approvePending");
  return [
    ["vm-ready", "ready now (role and JIT already active): right-click → Open SSH Terminal, then `echo $AZSIM_VM`."],
    ["vm-dev-01", `needs PIM: "${request}", type a justification, watch the progress; the status bar counts down.`],
    ["vm-approval", `needs approval (justification + ticket): request it, it stays pending; approve it with "${approve}".`],
    ["vm-mfa", "MFA step-up: requesting access asks you to sign in again; tick \"Complete multi-factor authentication\"."],
    ["vm-nojit", "no JIT policy covers it: blocked, and the tooltip says why."],
    ["vm-legacy", "only reachable through a Basic Bastion: no native-client tunnelling."],
    ["vm-locked", "its Bastion has tunnelling disabled."],
    ["vm-stopped", "deallocated: Start VM, then request access."],
    [
      "vm-password",
      input.passwordUnavailable?.has("vm-password")
        ? `password credential from Key Vault (login unavailable here: ${input.passwordUnavailable.get("vm-password")}).`
        : "password credential from Key Vault: SSH through an askpass helper, you type nothing.",
    ],
    ["vm-nosecret", "no secret tag: Choose Credential… picks one."],
    ["vm-forbidden", "its secret is in a vault you cannot read."],
    ["gpu-ds-01", "Contoso Data Science, PEM RSA key: try Forward Port… (Jupyter)."],
    ["win-01", "Windows: SSH is not offered."],
    ["vm-fabrikam", "another tenant (Fabrikam, you are a guest): needs PIM there."],
  ];
}

export function tourLines(input: TourInput): string[] {
  const vms = vmTour(input).filter(([vm]) => input.vmNames.includes(vm));
  const width = Math.max(...vms.map(([vm]) => vm.length));
  return [
    `Azure JIT Connect demo is ready (started in ${input.startSeconds.toFixed(1)} s). No Azure account is used: everything is the built-in simulator.`,
    "",
    `1. Open VS Code in your browser:  ${input.workbenchUrl}`,
    "",
    "2. Sign in: click the Azure JIT Connect icon in the activity bar, then \"Sign In to Azure\".",
    `   The sign-in notification shows a code (already on your clipboard) and a link to the device login page:  ${input.deviceLoginUrl}`,
    `   enter the code, choose the account "${input.user.displayName} (${input.user.upn})" and press Continue.`,
    "   Leave \"Complete multi-factor authentication\" unticked: vm-mfa asks for it later (step-up).",
    "   The page comes through code-server over plain HTTP on this machine: there is no certificate warning.",
    "",
    "3. Try the demo VMs:",
    ...vms.map(([vm, line]) => `   ${vm.padEnd(width)}  ${line}`),
    "",
    `   Time travel: "${paletteTitle("azureJit.demo.advanceClock")}" moves the simulator's clock,`,
    "   to see the expiry warning, the Extend button and the end of access without waiting.",
    `   Simulator control API (state, audit): ${input.controlUrl}/_sim/state`,
    "",
    "4. Stop: press Ctrl+C here. It stops code-server, the simulator and every VM's sshd.",
  ];
}

/** The tour as the workspace's README.md, which the workbench opens on start (written for reading inside VS Code). */
export function tourMarkdown(input: TourInput): string {
  const cell = (text: string): string => text.replace(/\|/g, "\\|");
  return [
    "# Azure JIT Connect on the built-in Azure simulator",
    "",
    "Nothing here reaches Azure: Entra ID, PIM, Defender for Cloud JIT, Azure Bastion and Key Vault are played by the simulator on this machine, and every Linux VM is a real `sshd`.",
    "",
    "## Sign in",
    "",
    "1. Click the **Azure JIT Connect** icon in the activity bar, then **Sign In to Azure**.",
    `2. The sign-in notification shows a code (already on your clipboard) and a link to the device login page, ${input.deviceLoginUrl}: open it and enter the code.`,
    `3. Choose **${input.user.displayName} (${input.user.upn})** and press **Continue**. Leave *Complete multi-factor authentication* unticked: \`vm-mfa\` asks for it later.`,
    "4. One sign-in covers Fabrikam too, the tenant where you are a guest; it survives window reloads.",
    "",
    "The page comes through code-server over plain HTTP on this machine, so there is no certificate to accept. (The extension itself trusts the simulator's own CA, which the demo passes to code-server.)",
    "",
    "## Try the demo VMs",
    "",
    "| VM | what it shows |",
    "|---|---|",
    ...vmTour(input)
      .filter(([vm]) => input.vmNames.includes(vm))
      .map(([vm, line]) => `| \`${vm}\` | ${cell(line)} |`),
    "",
    `**Time travel:** "${paletteTitle("azureJit.demo.advanceClock")}" moves the simulator's clock: see the expiry warning, the Extend button and the end of access without waiting.`,
    "",
    `The simulator's control API shows its state and audit log: ${input.controlUrl}/_sim/state`,
    "",
    "To stop the demo, press Ctrl+C in the terminal where it runs: that stops code-server, the simulator and every VM's sshd.",
    "",
  ].join("\n");
}
