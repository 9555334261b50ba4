import type * as vscode from "vscode";
import type { CredentialChoiceStore, RememberedCredential } from "../core/credential/credentialSource";

const KEY = "azureJit.credentialChoices";

/**
 * The user's "Choose credential" answers (a Key Vault secret URI and a user name per VM without
 * tags), in globalState: they are references, not secrets, and follow the user across windows.
 */
export class GlobalStateCredentialChoices implements CredentialChoiceStore {
  constructor(private readonly memento: vscode.Memento) {}

  private all(): Record<string, RememberedCredential> {
    return this.memento.get<Record<string, RememberedCredential>>(KEY, {});
  }

  async get(vmId: string): Promise<RememberedCredential | undefined> {
    return this.all()[vmId.toLowerCase()];
  }

  async set(vmId: string, choice: RememberedCredential): Promise<void> {
    await this.memento.update(KEY, { ...this.all(), [vmId.toLowerCase()]: { ...choice } });
  }

  async delete(vmId: string): Promise<void> {
    const { [vmId.toLowerCase()]: _removed, ...rest } = this.all();
    await this.memento.update(KEY, rest);
  }

  /** The VMs with a remembered choice (loaded into the service before its first inventory). */
  vmIds(): string[] {
    return Object.keys(this.all());
  }
}
