/// <reference types="mocha" />
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { COMMAND_PREFIX, contributedCommands, EXTENSION_ID, generatedViewCommands, getExtension } from "../support/manifest";

suite("activation", () => {
  test("the extension is present and activates", async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not among the loaded extensions`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });
});

suite("command contributions", () => {
  let registered: Set<string>;
  let contributed: string[];
  let generated: Set<string>;

  suiteSetup(async () => {
    const extension = getExtension();
    // Commands are registered in activate(), so it must have run before we list them.
    await extension.activate();
    registered = new Set(await vscode.commands.getCommands(true));
    contributed = contributedCommands(extension);
    generated = generatedViewCommands(extension);
  });

  test("the manifest contributes at least one command", () => {
    assert.ok(contributed.length > 0, "contributes.commands is empty");
  });

  test("every contributed command is registered", () => {
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `contributed in package.json but not registered by activate(): ${missing.join(", ")}`);
  });

  test(`every registered ${COMMAND_PREFIX}* command is contributed`, () => {
    const declared = new Set(contributed);
    const undeclared = [...registered].filter((id) => id.startsWith(COMMAND_PREFIX) && !declared.has(id) && !generated.has(id)).sort();
    assert.deepEqual(undeclared, [], `registered but missing from contributes.commands: ${undeclared.join(", ")}`);
  });

  test(`every contributed command uses the ${COMMAND_PREFIX} prefix`, () => {
    const foreign = contributed.filter((id) => !id.startsWith(COMMAND_PREFIX));
    assert.deepEqual(foreign, []);
  });
});
