import type { TokenCredential } from "@azure/core-auth";
import { type AzureContext, createAzureContext } from "../../../../src/core/azure/azureContext";
import { loadAzureSdk } from "../../../../src/core/azure/sdkLoader";
import type { StepUpHandler } from "../../../../src/core/azure/stepUp";
import { type CustomCloudSetting, resolveCloud } from "../../../../src/core/cloud";
import type { Logger } from "../../../../src/core/logger";
import type { TestSimulator } from "../../../support/simulator";

/** The product's cloud settings for a running simulator (what a user would put in settings.json). */
export function simCloud(t: TestSimulator) {
  return resolveCloud("Custom", { ...(t.settings.raw["azureJit.customCloud"] as CustomCloudSetting), name: "Simulator" });
}

/** A logger that keeps every line (tests assert that no secret reached it). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (m: string | Error, ...args: unknown[]) => lines.push(`${level} ${String(m)} ${args.map(String).join(" ")}`.trim());
  return { lines, trace: push("trace"), debug: push("debug"), info: push("info"), warn: push("warn"), error: push("error") };
}

/**
 * Step-up the way the VS Code layer does it, with the simulator's device-code page standing in for
 * the user: a new sign-in that completes MFA, asked for the claims the request carries.
 */
export function deviceCodeStepUp(t: TestSimulator, upn: string, log: string[] = []): StepUpHandler {
  return async (request) => {
    log.push(`${request.reason}:${request.claims}`);
    const credential = t.deviceCodeCredential(upn, { mfa: true, tenantId: request.tenantId });
    const token = await credential.getToken(request.scopes, { claims: request.claims, tenantId: request.tenantId, enableCae: true });
    if (!token) throw new Error("no token");
    return token;
  };
}

export async function signedInContext(t: TestSimulator, upn = "alice@contoso.example", options: { stepUp?: StepUpHandler; logger?: Logger; credential?: TokenCredential } = {}): Promise<AzureContext> {
  const credential = options.credential ?? (await productCredential(t, upn));
  return createAzureContext({ cloud: simCloud(t), credential, stepUpHandler: options.stepUp, logger: options.logger });
}

/**
 * The product's own device-code credential (createCredential), with the simulator's device-login
 * page standing in for the user. Guest tenants get their own sign-in, approved the same way.
 */
export async function productCredential(t: TestSimulator, upn: string, options: { mfa?: boolean; prompts?: string[] } = {}): Promise<TokenCredential> {
  const sdk = await loadAzureSdk();
  return sdk.createCredential({
    method: "deviceCode",
    cloud: simCloud(t),
    tenantId: t.settings.tenantId,
    clientId: t.settings.clientId,
    userPrompt: (p) => {
      options.prompts?.push(p.tenantId);
      t.control.approveDeviceCode({ userCode: p.userCode, upn, mfa: options.mfa }).catch(() => undefined);
    },
  });
}
