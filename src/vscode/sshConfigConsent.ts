import * as vscode from "vscode";
import { notify } from "./notify";

const DECISION = "azureJit.includeBlockDecision";

/**
 * Asks once before the first edit of the user's SSH config (house style, practice 20): one
 * `Include` line, prepended between markers, so that Remote-SSH and a plain `ssh` see our hosts.
 * The answer is remembered; a declined edit can be allowed later from Connect.
 */
export class SshConfigConsent {
  constructor(private readonly memento: vscode.Memento) {}

  /** The service's `confirmUserConfigEdit`. */
  readonly confirm = async (file: string): Promise<boolean> => {
    const decided = this.memento.get<"allowed" | "declined">(DECISION);
    if (decided) return decided === "allowed";
    const l10n = vscode.l10n;
    const add = l10n.t("Add Include Line");
    const no = l10n.t("Don't Add");
    const choice = await notify.info(
      l10n.t("Add one Include line to {0}?", file),
      { modal: true, detail: l10n.t("Remote-SSH and ssh read your SSH config. Azure JIT Connect keeps its hosts in a file of its own and adds a single marked Include line at the top of yours, so they can find your VMs. Without it, only terminals opened by Azure JIT Connect can connect.") },
      add,
      no,
    );
    // Escape is no decision: ask again next time.
    if (choice === add || choice === no) await this.memento.update(DECISION, choice === add ? "allowed" : "declined");
    return choice === add;
  };

  async allow(): Promise<void> {
    await this.memento.update(DECISION, "allowed");
  }

  async reset(): Promise<void> {
    await this.memento.update(DECISION, undefined);
  }
}
