import { getArmAccessToken } from "../azure/azureContext";
import type { BastionSession } from "../bastion/bastionSession";
import { normalizeBastionEndpoint } from "../bastion/bastionSession";
import { requestSession } from "../bastion/tokenApi";
import { type CloudEnvironment, isCloudBastionHost } from "../cloud";
import type { BrokerHandler } from "../broker/brokerServer";
import { JitError } from "../errors";
import type { Logger } from "../logger";
import { describeUntrusted } from "../ssh/untrustedText";
import type { JitConnectService } from "./jitConnectService";

/**
 * What the broker asks the service, for the tunnel process: a fresh Bastion session per connection
 * (the ARM token stays here; only the session crosses the socket) and, for password VMs, the
 * password. Works from the persisted connection profiles, so that Remote-SSH can reconnect right
 * after a window reload, before the inventory has loaded.
 */
export class ServiceBrokerHandler implements BrokerHandler {
  constructor(
    private readonly service: JitConnectService,
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
    const token = await getArmAccessToken(ctx, profile.tenantId, signal);
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

  private async profile(host: string) {
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

/**
 * The Bastion's `dnsName` as an https endpoint, once it is known to be a Bastion host of this cloud
 * (suffix on a dot boundary, allowed port): the ARM token goes with the session request, so a
 * `dnsName` anyone could have written into ARM must not pick where it goes.
 */
export function trustedBastionEndpoint(cloud: CloudEnvironment, dnsName: string, bastionName: string): string {
  let endpoint: string | undefined;
  try {
    endpoint = normalizeBastionEndpoint(dnsName);
    // A dnsName is host[:port]: user info, a path or a query means it is something else.
    const written = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(dnsName.trim()) ? dnsName.trim() : `https://${dnsName.trim()}`);
    if (written.username !== "" || written.password !== "" || written.pathname !== "/" || written.search !== "" || written.hash !== "") endpoint = undefined;
  } catch {
    endpoint = undefined;
  }
  if (endpoint === undefined || !isCloudBastionHost(cloud, new URL(endpoint))) {
    const expected = cloud.bastionDnsSuffixes.length > 0 ? `hosts under ${cloud.bastionDnsSuffixes.join(", ")} on port ${cloud.bastionPorts.join(", ")}` : "none: set azureJit.customCloud.bastionDnsSuffix";
    throw new JitError(
      "BastionNotAllowed",
      `The Bastion ${describeUntrusted(bastionName)} reports the address ${describeUntrusted(dnsName)}, which is not a Bastion host of ${cloud.name} (${expected}). No token was sent.`,
      { details: { dnsName } },
    );
  }
  return endpoint;
}
