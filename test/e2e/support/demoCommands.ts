import { type Workbench } from "../harness/pageObjects/workbench";
import { paletteTitle } from "./commandTitles";

/**
 * The demo commands (`azureJit.demo.*`, src/vscode/commands/demoCommands.ts), run from the palette
 * as a presenter would: they play the approver and move the simulator's clock.
 */

/** "Azure JIT (Demo): Advance Simulator Clock…", then the "+N minutes" choice. */
export async function advanceClockWithDemoCommand(workbench: Workbench, by: { minutes?: number; hours?: number }): Promise<void> {
  const minutes = (by.minutes ?? 0) + (by.hours ?? 0) * 60;
  await workbench.runCommand(paletteTitle("azureJit.demo.advanceClock"));
  await workbench.quickInput.pick(`+${minutes} minutes`);
  await workbench.quickInput.waitForClosed();
}

/**
 * "Azure JIT (Demo): Approve Pending Request (Simulator)". With one pending request it approves at
 * once; with several it asks which (pass the VM's name).
 */
export async function approveWithDemoCommand(workbench: Workbench, vmName?: string): Promise<void> {
  await workbench.runCommand(paletteTitle("azureJit.demo.approvePending"));
  if (vmName && (await workbench.quickInput.isOpen())) await workbench.quickInput.pick(vmName);
  await workbench.waitForStatusBarItem({ text: `Simulator: approved the request for ${vmName ?? ""}` });
}
