import { randomUUID } from "node:crypto";
import { HttpError } from "../http/errors";

/**
 * Entra's token-endpoint error JSON: `error`, `error_description` starting with "AADSTSnnnnn: ",
 * followed by Trace ID / Correlation ID / Timestamp lines, plus `error_codes`, `timestamp`,
 * `trace_id`, `correlation_id`, `error_uri` and, where Entra sends them, `suberror` and `claims`.
 */
export function aadError(
  status: number,
  error: string,
  code: number,
  text: string,
  nowMs: number,
  extra: { suberror?: string; claims?: string; correlationId?: string } = {},
): HttpError {
  const traceId = randomUUID();
  const correlationId = extra.correlationId ?? randomUUID();
  const timestamp = new Date(nowMs).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
  const description = `AADSTS${code}: ${text}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`;
  return new HttpError(status, error, description, {}, {
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    ...(extra.suberror ? { suberror: extra.suberror } : {}),
    ...(extra.claims ? { claims: extra.claims } : {}),
  });
}

export const AAD_TEXT = {
  mfa: (resource: string): string =>
    `Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '${resource}'.`,
  deviceNotCompliant: (): string =>
    "Device is not in required device state: compliant. Conditional Access policy requires a compliant device, and the device is not compliant. The user must enroll their device with an approved MDM provider like Intune.",
  blocked: (): string => "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
  userNotInTenant: (upn: string, tenant: string): string =>
    `User account '${upn}' from identity provider 'live.com' does not exist in tenant '${tenant}' and cannot access the application in that tenant. The account needs to be added as an external user in the tenant first. Sign out and sign in again with a different Azure Active Directory user account.`,
  grantRevoked: (issuedAt: number, validFrom: number): string =>
    `The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '${new Date(issuedAt).toISOString()}' and the TokensValidFrom date (before which tokens are not valid) for this user is '${new Date(validFrom).toISOString()}'.`,
  tenantNotFound: (t: string): string => `Tenant '${t}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
  appNotFound: (appId: string, tenant: string): string =>
    `Application with identifier '${appId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  badSecret: (appId: string): string =>
    `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${appId}'.`,
  resourceNotFound: (resource: string, tenant: string): string =>
    `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
};
