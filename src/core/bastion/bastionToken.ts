import type { AccessToken } from "@azure/core-auth";
import type { AzureContext } from "../azure/azureContext";
import { toJitError } from "../azure/azureErrors";
import { throwIfAborted } from "../cancellation";
import { bastionTokenScope } from "../cloud";
import { JitError } from "../errors";

/**
 * The token the Bastion data plane receives as `aztoken` in `POST /api/tokens`: what Microsoft's
 * client sends, an ARM token for the cloud's `activeDirectoryResourceId`
 * (`https://management.core.windows.net/` on the public cloud), not one for the
 * `management.azure.com` audience the SDK pipelines use. Whether Bastion accepts the latter is
 * undocumented (azure-facts §5), so the product does not rely on it. Asked fresh for every
 * connection (the credential's cache makes that cheap); the caller must not log or persist it.
 */
export async function getBastionAccessToken(ctx: AzureContext, tenantId: string | undefined, signal?: AbortSignal): Promise<AccessToken> {
  throwIfAborted(signal);
  let token: AccessToken | null;
  try {
    // enableCae like every other token request: the credential keeps one cache per CAE mode.
    token = await ctx.credential.getToken([bastionTokenScope(ctx.cloud)], { tenantId, abortSignal: signal, enableCae: true });
  } catch (e) {
    throw toJitError(e, "get an Azure token for the Bastion");
  }
  if (!token) throw new JitError("NotSignedIn", "No Azure token for the Bastion is available. Sign in to Azure.");
  return token;
}
