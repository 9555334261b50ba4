import * as path from "node:path";
import { armIdKey } from "../azure/armIds";
import { errorMessage } from "../errors";
import { ensurePrivateDir, readFileIfExists, writeFileAtomic } from "../fs/privateFiles";
import type { RoleMatch } from "../inventory/roleSelection";
import type { Logger } from "../logger";

/**
 * How to log in to a VM: Microsoft Entra ID (SSH certificate, no stored secret) or the Key Vault
 * secret. When both are possible Entra ID is the default; the setting `azureJit.connect.loginMethod`
 * ("entraIdWhenAvailable" | "keyVault") and a per-VM choice override it, the per-VM choice first.
 */
export type LoginMethod = "entraId" | "keyVault";
export type LoginMethodPreference = "entraIdWhenAvailable" | "keyVault";

export interface LoginMethodFacts {
  /** The VM login role covering the VM (eligible or active), from the inventory. */
  entraLoginRole?: RoleMatch;
  /** A Key Vault secret (tag or remembered choice) is known for the VM. */
  keyVaultUsable: boolean;
}

export function chooseLoginMethod(facts: LoginMethodFacts, preference: LoginMethodPreference, perVm: LoginMethod | undefined): LoginMethod {
  if (perVm) return perVm;
  const entraPossible = facts.entraLoginRole?.eligibility !== undefined || facts.entraLoginRole?.active !== undefined;
  if (preference === "keyVault") return facts.keyVaultUsable || !entraPossible ? "keyVault" : "entraId";
  return entraPossible ? "entraId" : "keyVault";
}

/** The per-VM choices, in `login-methods.json` (0600) of the extension's storage: no secret, VM ids only. */
export class LoginMethodStore {
  private readonly byVm = new Map<string, LoginMethod>();

  private constructor(private readonly file: string) {}

  static async open(storageDir: string, logger: Logger): Promise<LoginMethodStore> {
    const store = new LoginMethodStore(path.join(storageDir, "login-methods.json"));
    const text = await readFileIfExists(store.file);
    if (text !== undefined) {
      try {
        const parsed = JSON.parse(text) as { version?: unknown; choices?: unknown };
        if (parsed.version === 1 && typeof parsed.choices === "object" && parsed.choices !== null) {
          for (const [vm, method] of Object.entries(parsed.choices)) if (method === "entraId" || method === "keyVault") store.byVm.set(vm, method);
        }
      } catch (e) {
        logger.warn(`Ignoring the unreadable login method choices in ${store.file}: ${errorMessage(e)}`);
      }
    }
    return store;
  }

  get(vmId: string): LoginMethod | undefined {
    return this.byVm.get(armIdKey(vmId));
  }

  /** `undefined` forgets the choice (the setting decides again). */
  async set(vmId: string, method: LoginMethod | undefined): Promise<void> {
    if (method) this.byVm.set(armIdKey(vmId), method);
    else this.byVm.delete(armIdKey(vmId));
    await ensurePrivateDir(path.dirname(this.file));
    await writeFileAtomic(this.file, `${JSON.stringify({ version: 1, choices: Object.fromEntries(this.byVm) }, null, 2)}\n`);
  }
}
