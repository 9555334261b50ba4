import { normalizeBastionEndpoint } from "../bastion/bastionSession";
import { type CloudEnvironment, isCloudBastionHost } from "../cloud";
import { JitError } from "../errors";
import { describeUntrusted } from "../ssh/untrustedText";

/**
 * The Bastion's `dnsName` as an https endpoint, once it is known to be a Bastion host of this cloud
 * (suffix on a dot boundary, allowed port): the ARM token goes with the session request, so a
 * `dnsName` anyone able to write the Bastion resource could set must not pick where it goes.
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
