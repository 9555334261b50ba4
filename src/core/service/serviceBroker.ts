import type { AzureContext } from "../azure/azureContext";
import type { BastionSession } from "../bastion/bastionSession";
import { getBastionAccessToken } from "../bastion/bastionToken";
import { requestSession } from "../bastion/tokenApi";
import { trustedBastionEndpoint } from "./trustedBastion";
import { startBrokerServer, type BrokerHandler, type BrokerServer } from "../broker/brokerServer";
import { JitError } from "../errors";
import type { AuditJournal } from "../audit/auditJournal";
import type { Grant } from "../access/grant";
import type { Logger } from "../logger";
import type { ConnectionProfile, ConnectionProfileStore } from "./connectionProfiles";

/** What the broker needs from the service (the service facade provides it). */
export interface BrokerServices {
  readonly profiles: ConnectionProfileStore;
  readonly journal: AuditJournal;
  activeGrant(vmId: string): Grant | undefined;
  azureContext(): AzureContext | undefined;
  ensureCredential(profile: ConnectionProfile, grant: Grant, signal?: AbortSignal): Promise<unknown>;
  password(alias: string): string | undefined;
}

/**
 * What the broker asks the service, for the tunnel process: a fresh Bastion session per connection
 * (the ARM token stays here; only the session crosses the socket) and, for password VMs, the
 * password. Works from the persisted connection profiles, so that Remote-SSH can reconnect right
 * after a window reload, before the inventory has loaded.
 */
export class ServiceBrokerHandler implements BrokerHandler {
  constructor(
    private readonly service: BrokerServices,
    private readonly logger: Logger,
  ) {}

  async openSession(host: string, port: number, signal: AbortSignal): Promise<BastionSession> {
    const profile = await this.profile(host);
    const grant = this.service.activeGrant(profile.vmId);
    if (!grant) {
      throw new JitError("RoleNotActive", `No active access to ${profile.vmName}: run “Azure JIT: Request Access” (or Connect) for it in VS Code.`);
    }
    const ctx = this.service.azureContext();
    if (!ctx) throw new JitError("NotSignedIn", `Azure JIT Connect is not signed in in this VS Code window: sign in, then connect to ${profile.vmName} again.`);
    // A window reload removed the key from disk: fetch it again before ssh needs it.
    await this.service.ensureCredential(profile, grant, signal);
    const endpoint = trustedBastionEndpoint(ctx.cloud, profile.bastion.dnsName, profile.bastion.name);
    const token = await getBastionAccessToken(ctx, profile.tenantId, signal);
    const session = await requestSession({ endpoint, resourceId: profile.vmId, port, armToken: token.token, sku: profile.bastion.sku }, signal);
    this.logger.info(`Opened a Bastion session to ${profile.vmName}:${port} through ${profile.bastion.name}`);
    void this.service.journal
      .append({ type: "connectionOpened", vmId: profile.vmId, vmName: profile.vmName, tenantId: profile.tenantId, subscriptionId: profile.subscriptionId, alias: host, port, detail: `Bastion session through ${profile.bastion.name}` })
      .catch(() => undefined);
    return session;
  }

  async getPassword(host: string): Promise<string> {
    const profile = await this.profile(host);
    const grant = this.service.activeGrant(profile.vmId);
    if (!grant) throw new JitError("RoleNotActive", `No active access to ${profile.vmName}: request access first.`);
    await this.service.ensureCredential(profile, grant);
    const password = this.service.password(host);
    if (password === undefined) throw new JitError("SecretUnusable", `${profile.vmName} does not sign in with a password.`);
    return password;
  }

  private async profile(host: string): Promise<ConnectionProfile> {
    let profile = this.service.profiles.get(host);
    if (!profile) {
      // Another window may have connected to it: its profile is in the shared file.
      await this.service.profiles.reload();
      profile = this.service.profiles.get(host);
    }
    if (!profile) throw new JitError("VmNotFound", `Unknown host ${host}: connect to it from the Azure JIT Connect view first.`);
    return profile;
  }
}

/** The broker of this service: started once, on first need, closed with the service. */
export class BrokerHost {
  private broker: BrokerServer | undefined;
  private starting: Promise<BrokerServer> | undefined;

  constructor(private readonly options: { services: BrokerServices; logger: Logger; runtimeDir?: string }) {}

  /** The socket path, when it listens. */
  get path(): string | undefined {
    return this.broker?.path;
  }

  /** Starts the broker the tunnel asks for Bastion sessions (idempotent). */
  ensure(): Promise<BrokerServer> {
    if (this.broker) return Promise.resolve(this.broker);
    const { services, logger, runtimeDir } = this.options;
    this.starting ??= startBrokerServer({ handler: new ServiceBrokerHandler(services, logger), logger, ...(runtimeDir ? { runtimeDir } : {}) }).then((b) => (this.broker = b));
    return this.starting;
  }

  async close(): Promise<void> {
    const broker = this.broker;
    this.broker = undefined;
    this.starting = undefined;
    await broker?.close();
  }
}
