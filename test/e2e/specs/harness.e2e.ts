/// <reference types="mocha" />
import * as assert from "node:assert/strict";
import { buildProbeExtension } from "../harness/build";
import { useSession } from "../harness/mocha";

/**
 * The page objects themselves, against a probe extension that has one of each UI surface (tree,
 * status bar item, notification, quick pick, input box, terminal, welcome view). When a VS Code
 * update changes the DOM, this spec says which helper broke before a product spec does.
 */
describe("harness page objects (probe extension)", function () {
  const session = useSession(async () => ({ name: "harness-probe", extraDevelopmentPaths: [await buildProbeExtension()] }));

  it("opens a view container and reads, expands and acts on tree rows", async () => {
    const { workbench } = session();
    await workbench.openViewContainer("Harness Probe");
    const tree = workbench.view("Probe Tree");
    await tree.waitForRow("Alpha");
    assert.deepEqual(
      (await tree.rows()).map(({ label, description, level, expanded }) => ({ label, description, level, expanded })),
      [
        { label: "Alpha", description: "first", level: 1, expanded: false },
        { label: "Beta", description: "second", level: 1, expanded: undefined },
      ],
    );
    await tree.expand("Alpha");
    await tree.waitForRow("Alpha-2");
    assert.deepEqual(
      (await tree.rows()).map((r) => `${r.level}:${r.label}`),
      ["1:Alpha", "2:Alpha-1", "2:Alpha-2", "1:Beta"],
    );
    await tree.clickInlineAction("Beta", "Row Action");
    await workbench.waitForStatusBarItem({ text: "row: Beta" });
    await tree.clickContextMenu("Alpha-1", "Row Action");
    await workbench.waitForStatusBarItem({ text: "row: Alpha-1" });
    await workbench.screenshot("harness-tree");
  });

  it("reads a view's welcome content", async () => {
    const { workbench } = session();
    const empty = workbench.view("Probe Empty");
    await empty.expandPane();
    assert.match(await empty.welcomeText(), /Nothing to show yet\./);
  });

  it("finds a status bar item by id and by text", async () => {
    const { workbench } = session();
    const byId = await workbench.waitForStatusBarItem({ id: "probe.status" });
    assert.match(byId.id, /^azure-jit-connect-tests\.harness-probe\.probe\.status$/);
    assert.ok(await workbench.statusBarItem({ text: /^row: / }));
  });

  it("reads a notification and clicks its button", async () => {
    const { workbench } = session();
    await workbench.runCommand("Harness Probe: Notify");
    await workbench.notifications.waitFor("Probe says hello");
    const shown = await workbench.notifications.list();
    const hello = shown.find((n) => n.message === "Probe says hello");
    assert.ok(hello, JSON.stringify(shown));
    assert.deepEqual(hello.buttons, ["Yes", "No"]);
    assert.equal(hello.severity, "info");
    await workbench.screenshot("harness-notification");
    await workbench.notifications.clickButton("Probe says hello", "Yes");
    await workbench.waitForStatusBarItem({ text: "choice: Yes" });
  });

  it("answers a quick pick", async () => {
    const { workbench } = session();
    await workbench.runCommand("Harness Probe: Pick Colour");
    await workbench.quickInput.waitForOpen();
    assert.equal(await workbench.quickInput.title(), "Pick a colour");
    assert.deepEqual((await workbench.quickInput.items()).map((i) => i.label), ["Red", "Green", "Blue"]);
    await workbench.quickInput.pick("Green");
    await workbench.waitForStatusBarItem({ text: "picked: Green" });
  });

  it("answers an input box and reads its validation message", async () => {
    const { workbench } = session();
    await workbench.runCommand("Harness Probe: Ask Name");
    await workbench.quickInput.fill("A");
    await workbench.quickInput.widget.locator(".quick-input-message", { hasText: "Too short" }).waitFor();
    assert.match(await workbench.quickInput.message(), /Too short/);
    await workbench.quickInput.submit("Ada");
    await workbench.waitForStatusBarItem({ text: "name: Ada" });
  });

  it("waits for a terminal, reads its text and types into it", async () => {
    const { workbench } = session();
    await workbench.runCommand("Harness Probe: Open Terminal");
    await workbench.terminal.waitForTerminal();
    await workbench.terminal.waitForText(/^probe-42$/m);
    assert.deepEqual(await workbench.terminal.names(), ["Probe Terminal"]);
    await workbench.terminal.typeLine("echo typed-$((1+1))");
    await workbench.terminal.waitForText(/^typed-2$/m);
    await workbench.screenshot("harness-terminal");
  });
});
