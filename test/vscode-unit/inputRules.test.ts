/** Validation of what users type, the subscription filter mapping, Markdown escaping, portal links. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SubscriptionInfo } from "../../src/core/inventory/types";
import { filterForSelection, looksLikeSecretUri, looksLikeUserName, parsePort, portalUrl } from "../../src/vscode/inputRules";
import { commandLink, escapeMarkdown } from "../../src/vscode/markdown";

describe("input rules", () => {
  it("ports", () => {
    assert.equal(parsePort(" 8888 "), 8888);
    for (const bad of ["0", "65536", "80.5", "http", ""]) assert.equal(parsePort(bad), undefined, bad);
  });

  it("Key Vault secret URIs and user names", () => {
    assert.equal(looksLikeSecretUri("https://kv.vault.azure.net/secrets/vm-key"), true);
    assert.equal(looksLikeSecretUri("https://kv.vault.azure.net/secrets/vm-key/0123abcd"), true);
    assert.equal(looksLikeSecretUri("http://kv.vault.azure.net/secrets/vm-key"), false);
    assert.equal(looksLikeSecretUri("https://kv.vault.azure.net/keys/vm-key"), false);
    assert.equal(looksLikeUserName("azureuser"), true);
    assert.equal(looksLikeUserName("-oProxyCommand=x"), false);
    assert.equal(looksLikeUserName("a b"), false);
  });

  it("the subscription filter: all selected is no filter; tenants only when some are left out", () => {
    const s = (id: string, tenantId: string): SubscriptionInfo => ({ subscriptionId: id, displayName: id, tenantId });
    const all = [s("A1", "TA"), s("A2", "TA"), s("B1", "TB")];
    assert.deepEqual(filterForSelection(all, all), { tenants: [], subscriptions: [] });
    assert.deepEqual(filterForSelection(all, [all[0]!]), { tenants: ["ta"], subscriptions: ["A1"] });
    assert.deepEqual(filterForSelection(all, [all[0]!, all[2]!]), { tenants: [], subscriptions: ["A1", "B1"] });
  });

  it("portal links carry the tenant", () => {
    assert.equal(portalUrl("https://portal.azure.com/", "contoso.example", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm"), "https://portal.azure.com/#@contoso.example/resource/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/overview");
  });

  it("Markdown escaping neutralises links and HTML; command links encode their arguments", () => {
    assert.equal(escapeMarkdown("[x](command:y) <b>"), "\\[x\\]\\(command:y\\) \\<b\\>");
    assert.equal(escapeMarkdown("a\nb"), "a b");
    assert.equal(commandLink("Go [now]", "azureJit.connect", ["/sub/vm"]), `[Go \\[now\\]](command:azureJit.connect?${encodeURIComponent('["/sub/vm"]')})`);
  });
});
