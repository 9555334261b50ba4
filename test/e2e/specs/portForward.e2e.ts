/// <reference types="mocha" />
import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { FORWARD_ROW } from "../support/azureJitView";
import { menuTitle } from "../support/commandTitles";
import { signInAndFindVm, stepChain, useSimulatorSession } from "../support/simSession";
import { httpGet } from "../../support/httpGet";

/**
 * Forward Port as a user meets it (issue 11, point 5), on vm-ready (access granted before the
 * session, so no request): Forward Port → "Another port…" → a port on the VM; the forward appears
 * as a row under the VM; an HTTP GET through its local port reaches the server on the VM; asking for
 * the same port again offers the running forward; Open in Browser opens it; Enter on the VM still
 * connects; Stop removes the row and the local port closes.
 *
 * The simulator's VMs are real sshd processes on this machine's loopback, so the VM's "localhost" is
 * ours: the server on the VM is a tiny HTTP server this spec listens with on 127.0.0.1.
 */
const VM = "vm-ready";

describe(`port forwarding on ${VM}: Forward Port, the row under the VM, Open in Browser, Stop`, function () {
  this.timeout(180_000);
  const ctx = useSimulatorSession("port-forward");
  const { done, needs } = stepChain();
  const token = randomBytes(8).toString("hex");
  let server: http.Server | undefined;
  let remotePort = 0;
  let localPort = 0;

  before(async () => {
    server = http.createServer((req, res) => res.end(`server on the VM ${token} ${req.url ?? ""}`));
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    remotePort = (server.address() as AddressInfo).port;
  });

  after(async () => {
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
  });

  /** Forward Port from the VM's context menu, answering "Another port…" with the spec's server port. */
  async function forwardFromMenu(): Promise<void> {
    const { view, session } = ctx();
    const { workbench } = session;
    await view.tree.clickContextMenu(VM, menuTitle("azureJit.forwardPort"));
    await workbench.quickInput.pick("Another port…");
    await workbench.quickInput.submit(String(remotePort));
  }

  it("signs in and lists the VM as ready", async () => {
    await signInAndFindVm(ctx(), VM, /^ready · \d+m left$/);
    done("sign-in");
  });

  it("Forward Port → Another port…: the forward appears as a row under the VM, and a GET through its local port reaches the server on the VM", async () => {
    needs("sign-in");
    const { view, session } = ctx();
    const { workbench } = session;
    await workbench.notifications.clearAll();
    await forwardFromMenu();
    // The first connection to the VM asks, once, before adding the Include line to the user's SSH config.
    const announced = new RegExp(`^Port ${remotePort} of ${VM} is forwarded to http://127\\.0\\.0\\.1:(\\d+)/\\.`);
    const deadline = Date.now() + 90_000;
    while (!(await workbench.notifications.list()).some((n) => announced.test(n.message))) {
      if (Date.now() > deadline) throw new Error(`no "${String(announced)}" notification; shown: ${(await workbench.notifications.list()).map((n) => n.message).join(" | ")}`);
      if (await workbench.dialog.box.isVisible()) await workbench.dialog.click("Add Include Line");
      await workbench.page.waitForTimeout(250);
    }
    const message = (await workbench.notifications.list()).find((n) => announced.test(n.message))!;
    assert.deepEqual(message.buttons, ["Open in Browser", "Stop"]);
    localPort = Number(announced.exec(message.message)![1]);

    const label = `Port ${remotePort} → localhost:${localPort}`;
    await view.tree.waitForRow(label, 30_000);
    const rows = await view.tree.rows();
    const vmIndex = rows.findIndex((r) => r.label === VM);
    assert.ok(vmIndex >= 0, `no ${VM} row: ${JSON.stringify(rows)}`);
    assert.equal(rows[vmIndex]!.expanded, true, `${VM} opens onto its forward`);
    assert.deepEqual({ label: rows[vmIndex + 1]?.label, description: rows[vmIndex + 1]?.description, level: rows[vmIndex + 1]?.level }, { label, description: `VM port ${remotePort}`, level: rows[vmIndex]!.level + 1 });
    // The VM row keeps its state (the page object still finds it among the VMs).
    await view.waitForVmDescription(VM, /^ready · \d+m left$/);
    await workbench.notifications.clearAll();
    await workbench.screenshot("port-forward-in-tree");

    assert.deepEqual(await httpGet(`http://127.0.0.1:${localPort}/from-the-spec`), { status: 200, body: `server on the VM ${token} /from-the-spec` });
    done("forward");
  });

  it("its tooltip names the URL and the start time", async () => {
    needs("forward");
    const { view, session } = ctx();
    const row = await view.tree.waitForRow(FORWARD_ROW);
    await row.locator(".label-name").hover();
    const tooltip = await session.workbench.waitForHover(`http://127.0.0.1:${localPort}/`);
    assert.match(tooltip, new RegExp(`on ${VM}, port ${remotePort}`));
    assert.match(tooltip, /since \d{1,2}:\d{2}/);
    await session.workbench.page.keyboard.press("Escape");
    await session.workbench.page.mouse.move(0, 0);
  });

  it("forwarding the same port again offers the running forward instead of a second one", async () => {
    needs("forward");
    const { view, session } = ctx();
    const { workbench } = session;
    await forwardFromMenu();
    await workbench.notifications.waitFor(`Port ${remotePort} of ${VM} is already forwarded to http://127.0.0.1:${localPort}/.`, 30_000);
    const forwardRows = (await view.tree.rows()).filter((r) => FORWARD_ROW.test(r.label));
    assert.deepEqual(forwardRows.map((r) => r.label), [`Port ${remotePort} → localhost:${localPort}`]);
    await workbench.notifications.clearAll();
  });

  it("Open in Browser (inline on the row) opens the forwarded server in a browser tab", async () => {
    needs("forward");
    const { view, session } = ctx();
    const context = session.browser.context;
    const [tab] = await Promise.all([context.waitForEvent("page", { timeout: 30_000 }), view.tree.clickInlineAction(FORWARD_ROW, menuTitle("azureJit.openForwardInBrowser"))]);
    try {
      await (tab as Page).waitForLoadState("domcontentloaded");
      // code-server may route localhost links through its own /proxy/<port>/: either way, the port is ours.
      assert.match(tab.url(), new RegExp(`(127\\.0\\.0\\.1|localhost):${localPort}/|/proxy/${localPort}/`));
      assert.match((await tab.textContent("body")) ?? "", new RegExp(`server on the VM ${token}`));
    } finally {
      await tab.close();
      await session.workbench.page.bringToFront();
    }
  });

  it("Enter on the VM (now with a child row) still connects: an SSH terminal on the VM opens, and the row does not toggle", async () => {
    needs("forward");
    const { view, session } = ctx();
    const { workbench } = session;
    // A click selects the VM, and (the row having children now) collapses it, as a click on any parent row does.
    await view.tree.click(VM);
    await view.tree.waitForRowGone(FORWARD_ROW);
    await workbench.page.keyboard.press("Enter");
    await workbench.terminal.waitForTerminal(60_000);
    const deadline = Date.now() + 30_000;
    while (!(await workbench.terminal.names()).includes(`SSH: ${VM}`)) {
      if (Date.now() > deadline) throw new Error(`no "SSH: ${VM}" terminal; terminals: ${(await workbench.terminal.names()).join(", ")}`);
      await workbench.page.waitForTimeout(250);
    }
    // Enter ran Connect, not the tree's own expand/collapse: the VM is still collapsed.
    assert.equal((await view.tree.rows()).find((r) => r.label === VM)?.expanded, false);
    await view.tree.expand(VM);
    await view.tree.waitForRow(FORWARD_ROW);
  });

  it("Enter on a group still expands and collapses it (the Enter command toggles groups)", async () => {
    needs("sign-in");
    const { view, session } = ctx();
    const group = "Fabrikam Research";
    // A click selects the group and collapses it; Enter opens it again.
    await view.tree.click(group);
    await view.tree.waitForRowGone("vm-fabrikam");
    await session.workbench.page.keyboard.press("Enter");
    await view.tree.waitForRow("vm-fabrikam");
    assert.equal((await view.tree.rows()).find((r) => r.label === group)?.expanded, true);
  });

  it("Stop (inline on the row) ends the forward: the row disappears and the local port closes", async () => {
    needs("forward");
    const { view, session } = ctx();
    await view.tree.clickInlineAction(FORWARD_ROW, menuTitle("azureJit.stopForward"));
    await view.tree.waitForRowGone(FORWARD_ROW, 30_000);
    const row = (await view.vmRows()).get(VM);
    assert.equal(row?.expanded, undefined, `${VM} is a leaf again`);
    await assert.rejects(httpGet(`http://127.0.0.1:${localPort}/`), /ECONNREFUSED|socket hang up|ECONNRESET/);
    await session.workbench.screenshot("port-forward-stopped");
  });
});
