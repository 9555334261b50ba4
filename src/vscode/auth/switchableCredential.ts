import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { sshCertificateSourceOf, type SshCertificateSource } from "../../core/entraSsh/certificateSource";
import { JitError } from "../../core/errors";
import { canRefreshSilently } from "../../core/azure/stepUp";

/**
 * The credential the service is built with. The service lives for the whole window (grants, the
 * journal, the broker), while the sign-in behind it changes: none before sign-in, a device-code or
 * VS Code account credential after, none again after sign-out. This forwards to the current one.
 */
export class SwitchableCredential implements TokenCredential {
  private inner: TokenCredential | undefined;

  set(credential: TokenCredential | undefined): void {
    this.inner = credential;
  }

  get current(): TokenCredential | undefined {
    return this.inner;
  }

  /** The current sign-in's SSH-certificate ability (Entra ID login), when it has one. */
  sshCertificateSource(): SshCertificateSource | undefined {
    return sshCertificateSourceOf(this.inner);
  }

  /** Whether the current sign-in can redeem a refresh token without the user (the device-code one can). */
  supportsSilentRefresh(): boolean {
    return canRefreshSilently(this.inner);
  }

  /** Forwards a silent refresh to the current sign-in (only called when `supportsSilentRefresh()`). */
  refreshSilently(scopes: string[], options?: { tenantId?: string; claims?: string; abortSignal?: AbortSignal }): Promise<AccessToken> {
    if (!canRefreshSilently(this.inner)) return Promise.reject(new JitError("NotSignedIn", "Not signed in to Azure. Run “Azure JIT: Sign In” first."));
    return this.inner.refreshSilently(scopes, options);
  }

  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    if (!this.inner) return Promise.reject(new JitError("NotSignedIn", "Not signed in to Azure. Run “Azure JIT: Sign In” first."));
    return this.inner.getToken(scopes, options);
  }
}
