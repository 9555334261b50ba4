/**
 * Benchmark 8b: request-to-shell with Microsoft Entra ID login, next to benchmark 8 (Key Vault key).
 * The `entra` scenario's vm-entra has no Key Vault secret; alice is only eligible for the JIT role
 * and for Virtual Machine User Login. Connect = PIM (JIT role) → JIT → PIM (login role) → a fresh
 * RSA key and its SSH certificate → SSH config; then `ssh -tt <alias>` to a shell prompt, through
 * the tunnel, logging in with the certificate. Same injected delays as benchmark 8. What Entra ID
 * login adds to the Key Vault path: what is left of the login role's activation (a second PIM
 * round, requested alongside the access once PIM has accepted the JIT role, so mostly hidden behind
 * the JIT step) and the key + certificate (an RSA keygen and one token request), where the Key Vault
 * path had an overlapped secret read.
 */
import { productionBuild } from "./lib/build";
import { startProductSession } from "./lib/product";
import { startSimProcess } from "./lib/simProcess";
import { fmt, fmtSummary, summarize } from "./lib/stats";
import type { Benchmark, Headline } from "./lib/types";
import { shellPrompt } from "./requestToShell";

const VM = "vm-entra";

interface RoundResult {
  totalMs: number;
  /** connect() start → the access grant (JIT role + JIT). */
  accessMs: number;
  /** connect() start → the login role's activation starts (PIM has accepted the JIT role). */
  loginRoleStartMs: number;
  /** The access grant → the login role effective too: what the login role adds to the wait. */
  loginRoleAfterGrantMs: number;
  /** Key pair + certificate request + parse + files. */
  certificateMs: number;
  /** SSH config + broker + journal. */
  sshConfigMs: number;
  /** connect() resolved → shell prompt. */
  shellMs: number;
}

export const requestToShellEntra: Benchmark = {
  name: "requestToShellEntra",
  title: "8b. Request-to-shell with Entra ID login",
  async run(ctx) {
    const delays = ctx.quick
      ? { pimProvisioningSeconds: 0.3, jitInitiatingSeconds: 0.2, armMs: 20, loginMs: 20, bastionMs: 20 }
      : { pimProvisioningSeconds: 8, jitInitiatingSeconds: 4, armMs: 100, loginMs: 100, bastionMs: 150 };
    const rounds = ctx.quick ? 1 : ctx.runs;
    const build = await productionBuild();
    const results: RoundResult[] = [];
    for (let round = 0; round < rounds; round++) {
      const sim = await startSimProcess({ kind: "simulator", scenario: "entra", simulation: { pimProvisioningSeconds: delays.pimProvisioningSeconds, jitInitiatingSeconds: delays.jitInitiatingSeconds } });
      const product = await startProductSession(sim.ready, { tunnelJs: build.tunnelJs });
      try {
        const { service, control } = product;
        const vm = service.inventory?.vms.find((v) => v.name === VM);
        if (!vm) throw new Error(`${VM} is not in the inventory`);
        for (const [svc, latencyMs] of [["arm", delays.armMs], ["login", delays.loginMs], ["bastion", delays.bastionMs]] as const) await control.addFault({ match: { service: svc }, latencyMs });
        const steps: [number, string][] = [];
        let grantedAt = Number.NaN;
        const stopListening = service.onDidChangeAccess((e) => {
          if (e.vmId === vm.id && e.state.kind === "granted" && Number.isNaN(grantedAt)) grantedAt = performance.now();
        });
        const t0 = performance.now();
        const info = await service.connect(vm.id, undefined, (message) => steps.push([performance.now(), message]));
        const tConnected = performance.now();
        stopListening();
        const tPrompt = await shellPrompt(info.userConfigFile, info.alias, product.childEnv);
        const at = (re: RegExp): number => steps.find(([, m]) => re.test(m))?.[0] ?? Number.NaN;
        const roleAt = at(/^Activating "Virtual Machine/);
        const certAt = at(/SSH certificate/);
        const configAt = at(/SSH configuration/);
        results.push({ totalMs: tPrompt - t0, accessMs: grantedAt - t0, loginRoleStartMs: roleAt - t0, loginRoleAfterGrantMs: certAt - grantedAt, certificateMs: configAt - certAt, sshConfigMs: tConnected - configAt, shellMs: tPrompt - tConnected });
        const r = results[results.length - 1]!;
        ctx.log(`  round ${round + 1}: total ${fmt(r.totalMs / 1000, 2)} s (access ${fmt(r.accessMs, 0)} ms, login role requested at ${fmt(r.loginRoleStartMs, 0)} ms and effective ${fmt(r.loginRoleAfterGrantMs, 0)} ms after the grant, certificate ${fmt(r.certificateMs, 0)} ms, ssh ${fmt(r.shellMs, 0)} ms)`);
      } finally {
        await product.close();
        await sim.stop();
      }
    }
    const s = (f: (r: RoundResult) => number): string => fmtSummary(summarize(results.map(f)), 0);
    const headlines: Headline[] = [
      { figure: "request-to-shell with Entra ID login (total)", value: `${fmt(summarize(results.map((r) => r.totalMs)).median / 1000, 2)} s`, target: "—", status: "info" },
    ];
    const lines = [
      `Scenario \`entra\`, VM \`${VM}\` (no Key Vault secret; JIT role and Virtual Machine User Login both eligible). Injected: PIM provisioning ${delays.pimProvisioningSeconds} s, JIT initiating ${delays.jitInitiatingSeconds} s, ${delays.armMs} ms per ARM request, ${delays.loginMs} ms per Entra request, ${delays.bastionMs} ms per Bastion request. ${rounds} round(s), each on a fresh simulator; ms, median (min–max).`,
      "",
      "| Step | Time |",
      "|---|---|",
      `| **total: Request access → shell prompt** | **${s((r) => r.totalMs)}** |`,
      `| access granted (PIM JIT role → JIT) | ${s((r) => r.accessMs)} |`,
      `| login role requested (after PIM accepted the JIT role; alongside the rest of the access) | ${s((r) => r.loginRoleStartMs)} |`,
      `| login role effective, after the grant (what the second PIM round adds) | ${s((r) => r.loginRoleAfterGrantMs)} |`,
      `| key pair + SSH certificate | ${s((r) => r.certificateMs)} |`,
      `| SSH config + broker + journal | ${s((r) => r.sshConfigMs)} |`,
      `| ssh → shell prompt (certificate login) | ${s((r) => r.shellMs)} |`,
    ];
    return { markdown: lines.join("\n"), headlines, data: { delays, rounds, results } };
  },
};
