import { type BrowserContext, type Page } from "playwright-core";

/**
 * The simulator's device-login page (simulator/src/entra/deviceLoginPage.ts), driven in a second
 * Chromium tab as a user would: the stand-in for https://microsoft.com/devicelogin.
 */
export interface DeviceLoginInput {
  /** `<login origin>/devicelogin` (the simulator's `endpoints.login` + "/devicelogin"). */
  deviceLoginUrl: string;
  userCode: string;
  upn: string;
  /** Tick "Complete multi-factor authentication" (needed for the step-up of vm-mfa). */
  mfa?: boolean;
}

/** The user codes waiting for sign-in (`GET /_sim/devicecode`). */
export async function pendingDeviceCodes(controlUrl: string): Promise<string[]> {
  const response = await fetch(`${controlUrl}/_sim/devicecode`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`GET /_sim/devicecode answered ${response.status}`);
  const body = (await response.json()) as { pending?: { userCode?: unknown }[] };
  return (body.pending ?? []).map((p) => p.userCode).filter((c): c is string => typeof c === "string");
}

/**
 * Waits until the extension has asked the simulator for a device code that is not in `seen` and
 * returns it. The extension's own notification shows the same code; specs assert that separately.
 */
export async function waitForNewDeviceCode(controlUrl: string, seen: ReadonlySet<string> = new Set(), timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const fresh = (await pendingDeviceCodes(controlUrl)).find((c) => !seen.has(c));
    if (fresh) return fresh;
    if (Date.now() > deadline) throw new Error(`no device code was requested from the simulator within ${timeoutMs} ms (is the extension signing in with azureJit.auth.method "deviceCode"?)`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Opens the device-login page in a new tab of `context` (or uses `opened`, a tab the sign-in link
 * already opened), enters the code, picks the account and the MFA box, presses Continue, checks the
 * page's verdict and closes the tab. An https page needs a context that accepts the simulator's
 * certificate (`ignoreHttpsErrors`); the page the link names is plain HTTP on loopback.
 */
export async function completeDeviceLogin(context: BrowserContext, input: DeviceLoginInput, opened?: Page): Promise<void> {
  const tab = opened ?? (await context.newPage());
  try {
    if (!opened) await tab.goto(input.deviceLoginUrl);
    await tab.locator("#code").fill(input.userCode);
    await tab.locator("#upn").selectOption(input.upn);
    await tab.locator("#mfa").setChecked(input.mfa ?? false);
    await tab.locator("button[value=approve]").click();
    const verdict = tab.locator("[role=status]");
    await verdict.waitFor({ state: "visible" });
    const text = (await verdict.textContent())?.trim() ?? "";
    if (!(await verdict.evaluate((el: { className: string }) => el.className.includes("ok")))) throw new Error(`the device-login page refused the sign-in: ${text}`);
    if (!text.startsWith(`Signed in as ${input.upn}`)) throw new Error(`unexpected device-login verdict: ${text}`);
  } finally {
    await tab.close();
  }
}
