/// <reference types="mocha" />
/**
 * The settings as VS Code itself parsed them from the manifest: every default equals the typed
 * config module's, and reading the effective configuration reports no problem.
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { CONFIG_SECTION, readConfig, SETTING_DEFAULTS, SETTING_ENUMS, type SettingKey } from "../../../src/vscode/config";
import { getExtension } from "../support/manifest";

suite("settings", () => {
  suiteSetup(async () => {
    await getExtension().activate();
  });

  test("VS Code's defaults for azureJit.* are the typed module's", () => {
    const cfg = vscode.workspace.getConfiguration(CONFIG_SECTION);
    for (const [key, value] of Object.entries(SETTING_DEFAULTS)) {
      assert.deepEqual(cfg.inspect(key)?.defaultValue, value, `azureJit.${key}`);
    }
  });

  test("the effective configuration reads without problems", () => {
    const { problems, config } = readConfig(vscode.workspace.getConfiguration(CONFIG_SECTION));
    assert.deepEqual(problems, []);
    assert.equal(config.auth.method, SETTING_DEFAULTS["auth.method"]);
  });

  test("an invalid enum value is ignored with a reason, and the default applies", async () => {
    const cfg = vscode.workspace.getConfiguration(CONFIG_SECTION);
    await cfg.update("tree.groupBy", "colour", vscode.ConfigurationTarget.Global);
    try {
      const { problems, config } = readConfig(vscode.workspace.getConfiguration(CONFIG_SECTION));
      assert.equal(config.groupBy, "subscription");
      assert.match(problems.join("\n"), /azureJit\.tree\.groupBy has the unknown value "colour"/);
      assert.ok((SETTING_ENUMS["tree.groupBy" as SettingKey] ?? []).includes(config.groupBy));
    } finally {
      await cfg.update("tree.groupBy", undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
