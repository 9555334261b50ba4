/** One "window" appending to a shared access journal (see twoWindowsJournal.test.ts). */
import { AuditJournal } from "../../../../src/core/audit/auditJournal";

async function main(): Promise<void> {
  const [folder, name, count] = process.argv.slice(2);
  if (!folder || !name || !count) throw new Error("usage: journalWorker <folder> <name> <count>");
  // A small size limit makes both windows rotate often; enough files that nothing is dropped.
  const journal = await AuditJournal.open(folder, { maxBytes: 2048, maxFiles: 1000 });
  for (let i = 0; i < Number(count); i++) {
    await journal.append({ type: "connectionOpened", vmId: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-${name}`, detail: `${name}-${i}` });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
