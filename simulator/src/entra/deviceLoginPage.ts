import type { TenantModel, UserModel } from "../world/model";

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The simulated https://microsoft.com/devicelogin: enter the code, pick the account and the
 * sign-in context (MFA done, compliant device, location) that Conditional Access will see.
 */
export function renderDeviceLoginPage(args: { users: UserModel[]; tenants: TenantModel[]; prefillCode: string; message?: { ok: boolean; text: string } }): string {
  const locations = [...new Set(["office", ...args.tenants.flatMap((t) => t.trustedLocations), ...args.users.map((u) => u.location), "untrusted-network"])];
  const userOptions = args.users.map((u) => `<option value="${esc(u.upn)}">${esc(u.displayName)} (${esc(u.upn)})</option>`).join("");
  const locationOptions = locations.map((l) => `<option value="${esc(l)}">${esc(l)}</option>`).join("");
  const msg = args.message ? `<p role="status" class="${args.message.ok ? "ok" : "err"}">${esc(args.message.text)}</p>` : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Azure simulator – Enter code</title>
<style>
body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.4rem} label{display:block;margin:.8rem 0 .2rem} input[type=text],select{width:100%;box-sizing:border-box;padding:.4rem;font-size:1rem}
.check{display:flex;gap:.5rem;align-items:center;margin:.5rem 0} .check label{margin:0}
button{margin-top:1rem;padding:.5rem 1.2rem;font-size:1rem} .ok{color:#0a6b0a} .err{color:#b00020}
small{color:#555}
</style></head><body>
<h1>Azure simulator – Enter code</h1>
<p><small>This page stands in for Microsoft's device login. Nothing here reaches Azure.</small></p>
${msg}
<form method="post" action="devicelogin">
<label for="code">Code</label><input id="code" name="code" type="text" autocomplete="off" value="${esc(args.prefillCode)}" required>
<label for="upn">Account</label><select id="upn" name="upn">${userOptions}</select>
<div class="check"><input id="mfa" name="mfa" type="checkbox"><label for="mfa">Complete multi-factor authentication</label></div>
<div class="check"><input id="deviceCompliant" name="deviceCompliant" type="checkbox" checked><label for="deviceCompliant">Device is compliant</label></div>
<label for="location">Location</label><select id="location" name="location">${locationOptions}</select>
<button type="submit" name="action" value="approve">Continue</button>
<button type="submit" name="action" value="deny">Deny</button>
</form></body></html>`;
}
