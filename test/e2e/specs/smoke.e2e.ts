/// <reference types="mocha" />
import * as assert from "node:assert/strict";
import { useSession } from "../harness/mocha";

/** The packaged extension, installed from its .vsix as users get it, in a real VS Code. */
describe("smoke: the installed .vsix", function () {
  const session = useSession({ name: "smoke" });

  it("loads the workbench with Azure JIT Connect installed", async () => {
    const { workbench } = session();
    await workbench.openViewContainer("Extensions");
    // code-server names the section after the server: "127.0.0.1:<port> - Installed".
    const installed = workbench.view(/(^|- )Installed$/i);
    await installed.expandPane();
    await installed.pane.locator(".monaco-list-row", { hasText: "Azure JIT Connect" }).waitFor();
    await workbench.screenshot("smoke-installed");
    await workbench.openViewContainer("Explorer");
  });

  it('"Azure JIT: Show Log" shows the "Azure JIT Connect" output channel with the activation line', async () => {
    const { workbench } = session();
    await workbench.runCommand("Azure JIT: Show Log");
    await workbench.output.waitForVisible();
    assert.equal(await workbench.output.channel(), "Azure JIT Connect");
    const text = await workbench.output.waitForText("Azure JIT Connect activated");
    assert.match(text, /\[info\] Azure JIT Connect activated/);
    await workbench.screenshot("smoke-show-log");
  });
});
