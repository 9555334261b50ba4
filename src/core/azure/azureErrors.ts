import { isCancellation } from "../cancellation";
import { type ErrorCode, JitError, errorMessage, isJitError } from "../errors";
import { redact } from "../redact";
import { claimsFromChallenge } from "./claims";

/**
 * Turns Azure SDK failures into JitErrors with a message a user can act on. The SDK error (with its
 * raw AADSTS text or ARM body) stays in `cause` for the log; it never becomes the message.
 * Detection is structural (`name`, `statusCode`), because the SDK classes live in the lazy chunk.
 */

/** What we read from an SDK `RestError`. */
export interface RestErrorInfo {
  statusCode?: number;
  /** ARM error code (`error.code` of the body), or a Node network code such as ECONNREFUSED. */
  code?: string;
  message: string;
  retryAfterSeconds?: number;
  wwwAuthenticate?: string;
  /** Host the request went to, for messages. */
  host?: string;
}

interface RestErrorLike {
  name: string;
  message: string;
  statusCode?: number;
  code?: string;
  request?: { url?: string };
  response?: { headers?: { get(name: string): string | undefined } };
}

export function isRestError(e: unknown): boolean {
  return e instanceof Error && e.name === "RestError";
}

export function restErrorInfo(e: unknown): RestErrorInfo | undefined {
  if (!isRestError(e)) return undefined;
  const r = e as RestErrorLike;
  const retryAfter = r.response?.headers?.get("retry-after");
  const seconds = retryAfter === undefined ? undefined : Number(retryAfter);
  let host: string | undefined;
  try {
    host = r.request?.url ? new URL(r.request.url).host : undefined;
  } catch {
    host = undefined;
  }
  return {
    statusCode: r.statusCode,
    code: r.code,
    message: r.message,
    retryAfterSeconds: seconds !== undefined && Number.isFinite(seconds) ? seconds : undefined,
    wwwAuthenticate: r.response?.headers?.get("www-authenticate"),
    host,
  };
}

/**
 * The RestError details of a failed Azure call: the error's own, or those of the RestError behind an
 * error that wraps it (`callAzure` throws a JitError whose `cause` is the SDK's RestError).
 */
export function azureCallErrorInfo(e: unknown): RestErrorInfo | undefined {
  return restErrorInfo(e) ?? restErrorInfo((e as { cause?: unknown } | null | undefined)?.cause);
}

/** The HTTP status of a failed Azure call (see `azureCallErrorInfo`), or undefined. */
export function statusOf(e: unknown): number | undefined {
  return azureCallErrorInfo(e)?.statusCode;
}

const NETWORK_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "ECONNRESET", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "REQUEST_SEND_ERROR", "UND_ERR_CONNECT_TIMEOUT", "CERT_HAS_EXPIRED", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "DEPTH_ZERO_SELF_SIGNED_CERT"]);

/** Conditional Access and sign-in failures by AADSTS code: [error code, plain-language message]. */
const AADSTS: Record<string, [ErrorCode, string]> = {
  "50076": ["MfaRequired", "Your organisation requires multi-factor authentication for this. Sign in again and complete the MFA prompt."],
  "50079": ["MfaRequired", "Your organisation requires you to register for multi-factor authentication. Register at https://aka.ms/mfasetup, then sign in again."],
  "53000": ["DeviceNotCompliant", "Conditional Access requires a compliant, managed device. Sign in from a device your organisation manages (or ask IT to bring this one into compliance)."],
  "53001": ["DeviceNotCompliant", "Conditional Access requires a domain-joined device. Sign in from a device your organisation manages."],
  "53003": ["ConditionalAccessBlocked", "A Conditional Access policy blocked the sign-in (for example your location or sign-in risk). Ask your administrator which policy applies; your Entra sign-in log names it."],
  "530034": ["UntrustedLocation", "Conditional Access blocked the sign-in from your current network location. Connect from a trusted network (for example the corporate VPN) and try again."],
  "50158": ["StepUpRequired", "An external security challenge must be completed. Sign in again and complete it."],
  "700016": ["InvalidSetting", "The application (client) id is not known in this tenant. Check the azureJit.auth.clientId and azureJit.auth.tenantId settings."],
  "90002": ["InvalidSetting", "The tenant was not found. Check the azureJit.auth.tenantId setting."],
  "7000215": ["InvalidSetting", "The service principal secret is wrong. Check the secret configured for azureJit.auth.method = servicePrincipal."],
  "700027": ["InvalidSetting", "The service principal certificate was not accepted. Check the certificate configured for azureJit.auth.method = servicePrincipal."],
  "70043": ["NotSignedIn", "Your sign-in has expired. Sign in again."],
  "700082": ["NotSignedIn", "Your sign-in has expired after a long period of inactivity. Sign in again."],
};

/** Extracts the first AADSTS code of an identity error message. */
export function aadstsCode(e: unknown): string | undefined {
  return /AADSTS(\d+)/.exec(errorMessage(e))?.[1];
}

/**
 * Maps any failure of an Azure call to a JitError. `action` completes "Could not …" (e.g. "list PIM
 * eligibilities in tenant Contoso"). Cancellation and JitErrors pass through unchanged.
 */
export function toJitError(e: unknown, action: string): Error {
  if (isCancellation(e) || isJitError(e)) return e as Error;
  const name = e instanceof Error ? e.name : "";

  if (name === "AuthenticationError" || name === "AggregateAuthenticationError" || name === "AuthenticationRequiredError") {
    const code = aadstsCode(e);
    const known = code ? AADSTS[code] : undefined;
    if (known) return new JitError(known[0], known[1], { cause: e, details: { aadsts: code } });
    if (name === "AuthenticationRequiredError") return new JitError("NotSignedIn", "You need to sign in to Azure first.", { cause: e });
    return new JitError("AuthenticationFailed", `Sign-in to Azure failed${code ? ` (AADSTS${code})` : ""}. Sign in again; if it keeps failing, check your account and the azureJit.auth settings.`, { cause: e, details: { aadsts: code } });
  }
  if (name === "CredentialUnavailableError") {
    return new JitError("NotSignedIn", `No Azure sign-in is available to ${action}. Sign in (or, for the Azure CLI method, run "az login").`, { cause: e });
  }

  const info = restErrorInfo(e);
  if (info) return restToJitError(e, info, action);

  const nodeCode = (e as { code?: unknown } | undefined)?.code;
  if (typeof nodeCode === "string" && NETWORK_CODES.has(nodeCode)) {
    return new JitError("NetworkError", `Could not ${action}: the network request failed (${nodeCode}). Check your connection, proxy and the configured cloud endpoints.`, { cause: e });
  }
  return new JitError("AzureRequestFailed", `Could not ${action}: ${redact(errorMessage(e))}`, { cause: e });
}

function restToJitError(e: unknown, info: RestErrorInfo, action: string): JitError {
  const where = info.host ? ` (${info.host})` : "";
  const details = { status: info.statusCode, armCode: info.code };
  if (info.statusCode === undefined || (info.code && NETWORK_CODES.has(info.code))) {
    return new JitError("NetworkError", `Could not ${action}: Azure could not be reached${where}. Check your connection, proxy and the configured cloud endpoints.`, { cause: e, details });
  }
  const armMessage = plainArmMessage(info.message);
  switch (info.statusCode) {
    case 429:
      return new JitError("Throttled", `Could not ${action}: Azure is throttling requests${info.retryAfterSeconds !== undefined ? `; it asked to wait ${info.retryAfterSeconds} s` : ""}. Wait a moment and try again.`, { cause: e, details: { ...details, retryAfterSeconds: info.retryAfterSeconds } });
    case 401: {
      if (claimsFromChallenge(info.wwwAuthenticate)) {
        return new JitError("StepUpRequired", `Could not ${action}: Azure asked for a fresh sign-in with additional claims (Conditional Access). Sign in again and retry.`, { cause: e, details });
      }
      return new JitError("NotSignedIn", `Could not ${action}: Azure did not accept the sign-in token (expired, revoked or for another tenant). Sign in again.`, { cause: e, details });
    }
    case 403:
      return new JitError("Forbidden", `Could not ${action}: you do not have permission${info.code ? ` (${info.code})` : ""}. ${armMessage}`.trim(), { cause: e, details });
    default:
      if (info.statusCode >= 500) {
        return new JitError("AzureRequestFailed", `Could not ${action}: Azure returned a server error (${info.statusCode}${info.code ? ` ${info.code}` : ""}). Try again in a moment.`, { cause: e, details });
      }
      return new JitError("AzureRequestFailed", `Could not ${action}: ${armMessage || `HTTP ${info.statusCode}`}${info.code ? ` (${info.code})` : ""}`, { cause: e, details });
  }
}

/** ARM messages are written for people; drop embedded tokens and trailing correlation noise. */
function plainArmMessage(message: string): string {
  return redact(message).replace(/\s*(Correlation|Tracking) ?ID:.*$/is, "").trim();
}
