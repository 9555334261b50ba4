/**
 * A stand-in for a simulator process, for the "no stray sshd" tests: starts one VM in <baseDir>,
 * prints `{"port","sshd","guardian","homeDir"}` as one JSON line, then idles until it is killed.
 *
 *   node --import tsx test/support/sshdChildHost.ts <baseDir> <authorized public key file>
 */
import { readFileSync } from "node:fs";
import { createVmHost, osUser } from "../../simulator/src/vms";

async function main(): Promise<void> {
  const [baseDir, keyFile] = process.argv.slice(2);
  if (!baseDir || !keyFile) throw new Error("usage: sshdChildHost.ts <baseDir> <public key file>");
  const host = createVmHost({ baseDir });
  const vm = await host.start({
    vmId: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-child/providers/Microsoft.Compute/virtualMachines/vm-child",
    vmName: "vm-child",
    loginUser: osUser(),
    authorizedKeys: [readFileSync(keyFile, "utf8").trim()],
    passwordAuthentication: false,
  });
  const ids = host.processIds(vm.vmId);
  process.stdout.write(`${JSON.stringify({ port: vm.port, sshd: ids?.sshd, guardian: ids?.guardian, homeDir: vm.homeDir, hostPublicKey: vm.hostPublicKey })}\n`);
  // The guardians do not keep the event loop alive (by design); this process must stay until killed.
  setInterval(() => undefined, 60_000);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
