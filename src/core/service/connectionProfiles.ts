import * as path from "node:path";
import { armIdKey } from "../azure/armIds";
import { errorMessage } from "../errors";
import { withFileLock } from "../fs/fileLock";
import { ensurePrivateDir, readFileIfExists, writeFileAtomic } from "../fs/privateFiles";
import { type Logger, nullLogger } from "../logger";
import type { BastionSku } from "../bastion/bastionSession";

/**
 * What the broker needs to serve a connection to one SSH host alias, persisted so that it can serve
 * Remote-SSH's reconnect right after a window reload, before any inventory has loaded. Holds no
 * secret: ids, names, the Bastion's host, the login user and where the credential lives.
 */
export interface ConnectionProfile {
  alias: string;
  vmId: string;
  vmName: string;
  tenantId: string;
  subscriptionId: string;
  resourceGroup: string;
  bastion: { id: string; name: string; dnsName: string; sku: BastionSku };
  userName: string;
  /** Key Vault secret URI (no secret value); absent for Entra ID login. */
  secretUri?: string;
  /** "certificate": Microsoft Entra ID login (a key and its SSH certificate, re-issued when missing). */
  auth: "key" | "password" | "certificate";
  updatedAt: number;
}

interface ProfilesFile {
  version: 1;
  profiles: ConnectionProfile[];
}

/** The profiles of the VMs the user has connected to; they are also the hosts of our SSH config. */
export class ConnectionProfileStore {
  private readonly byAlias = new Map<string, ConnectionProfile>();

  private constructor(
    private readonly file: string,
    private readonly logger: Logger,
  ) {}

  static async open(file: string, logger: Logger = nullLogger): Promise<ConnectionProfileStore> {
    const store = new ConnectionProfileStore(file, logger);
    await store.reload();
    return store;
  }

  /** Re-reads the file (another VS Code window may have written it). A corrupt file is logged and ignored. */
  async reload(): Promise<void> {
    const text = await readFileIfExists(this.file);
    this.byAlias.clear();
    if (text === undefined) return;
    try {
      const parsed = JSON.parse(text) as Partial<ProfilesFile>;
      for (const p of parsed.profiles ?? []) if (p && typeof p.alias === "string" && typeof p.vmId === "string") this.byAlias.set(p.alias, p);
    } catch (e) {
      this.logger.warn(`Ignoring the unreadable connection profiles in ${this.file}: ${errorMessage(e)}`);
    }
  }

  get(alias: string): ConnectionProfile | undefined {
    return this.byAlias.get(alias);
  }

  forVm(vmId: string): ConnectionProfile | undefined {
    const key = armIdKey(vmId);
    for (const p of this.byAlias.values()) if (armIdKey(p.vmId) === key) return p;
    return undefined;
  }

  all(): ConnectionProfile[] {
    return [...this.byAlias.values()].sort((a, b) => a.alias.localeCompare(b.alias));
  }

  async put(profile: ConnectionProfile): Promise<void> {
    await this.update(() => this.byAlias.set(profile.alias, profile));
  }

  async remove(alias: string): Promise<void> {
    await this.update(() => this.byAlias.delete(alias));
  }

  async clear(): Promise<void> {
    await this.update(() => this.byAlias.clear());
  }

  /**
   * Another VS Code window shares this file: under the cross-process lock, re-read it, apply one
   * change, write it back, so that neither window drops the other's profiles.
   */
  private async update(change: () => void): Promise<void> {
    await ensurePrivateDir(path.dirname(this.file));
    await withFileLock(this.file, async () => {
      await this.reload();
      change();
      const body: ProfilesFile = { version: 1, profiles: this.all() };
      await writeFileAtomic(this.file, `${JSON.stringify(body, null, 2)}\n`);
    });
  }
}
