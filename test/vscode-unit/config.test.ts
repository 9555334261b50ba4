/** The typed settings module: defaults, validation, what a change requires, the log line. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeConfig, impactsOf, preselectedDuration, readConfig, SETTING_DEFAULTS } from "../../src/vscode/config";

const source = (values: Record<string, unknown>) => ({ get: <T>(key: string): T | undefined => values[key] as T | undefined });

describe("config", () => {
  it("nothing set: the package.json defaults", () => {
    const { config, problems } = readConfig(source({}));
    assert.deepEqual(problems, []);
    assert.equal(config.cloud, SETTING_DEFAULTS.cloud);
    assert.deepEqual(config.auth, { method: "vscode", tenantId: "organizations", clientId: "", certificatePath: "" });
    assert.equal(config.groupBy, "subscription");
    assert.deepEqual(config.expiryWarningMinutes, [10, 5]);
    assert.deepEqual(config.connect, { method: "auto", remoteFolder: "" });
    assert.equal(config.ssh.path, "ssh");
  });

  it("unknown enum values fall back to the default and are reported, naming the setting", () => {
    const { config, problems } = readConfig(source({ "auth.method": "password", "tree.groupBy": 3, "connect.method": "rdp" }));
    assert.equal(config.auth.method, "vscode");
    assert.equal(config.groupBy, "subscription");
    assert.equal(config.connect.method, "auto");
    assert.equal(problems.length, 3);
    assert.match(problems[0]!, /azureJit\.auth\.method has the unknown value "password"; using "vscode"/);
  });

  it("cleans lists and numbers: blank filter entries dropped, warning marks deduplicated, largest first", () => {
    const { config } = readConfig(source({ "filter.subscriptions": [" a ", "", 7, "b"], "access.expiryWarningMinutes": [5, 15, 5, 0, "x"] }));
    assert.deepEqual(config.filter.subscriptions, ["a", "b"]);
    assert.deepEqual(config.expiryWarningMinutes, [15, 5]);
  });

  it("the cloud is kept as written (resolveCloud names a bad one)", () => {
    assert.equal(readConfig(source({ cloud: "Mars" })).config.cloud, "Mars");
  });

  it("what a change requires", () => {
    const changed = (...keys: string[]) => impactsOf((section) => keys.some((k) => k === section || k.startsWith(`${section}.`)));
    assert.deepEqual([...changed("azureJit.auth.method")], ["identity"]);
    assert.deepEqual([...changed("azureJit.customCloud")], ["identity"]);
    assert.deepEqual([...changed("azureJit.filter.subscriptions")], ["service"]);
    assert.deepEqual([...changed("azureJit.tree.groupBy")], ["tree"]);
    assert.deepEqual([...changed("remote.SSH.configFile")], ["paths"]);
    assert.deepEqual([...changed("azureJit.connect.method")], ["none"]);
    assert.equal(changed("editor.fontSize").size, 0);
  });

  it("the log line names every effective value and no secret", () => {
    const line = describeConfig(readConfig(source({ cloud: "Custom", customCloud: { name: "AzureSimulator", resourceManagerEndpoint: "https://localhost:8441" }, "auth.method": "servicePrincipal", "auth.clientId": "app", "auth.certificatePath": "/secret/cert.pem" })).config);
    assert.match(line, /cloud=Custom \(AzureSimulator, ARM https:\/\/localhost:8441\)/);
    assert.match(line, /auth=servicePrincipal/);
    assert.match(line, /certificate=set/);
    assert.doesNotMatch(line, /cert\.pem/);
  });

  it("the preselected duration is in minutes, and a value set in the former ISO key still counts", () => {
    assert.equal(readConfig(source({})).config.defaultDuration, "PT60M");
    assert.equal(readConfig(source({ "access.defaultDurationMinutes": 90 })).config.defaultDuration, "PT90M");
    assert.equal(readConfig(source({ "access.defaultDuration": "PT2H" })).config.defaultDuration, "PT2H", "an upgrade keeps an old setting");
    assert.equal(readConfig(source({ "access.defaultDuration": "PT2H", "access.defaultDurationMinutes": 30 })).config.defaultDuration, "PT30M", "the new key wins once changed");
    const problems: string[] = [];
    assert.equal(preselectedDuration(2, "", problems), "PT60M");
    assert.equal(preselectedDuration(60, "two hours", problems), "PT60M");
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /defaultDurationMinutes must be a number of minutes from 5 to 1440/);
  });
});
