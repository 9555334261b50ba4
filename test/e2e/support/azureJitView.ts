import { type BrowserContext, type Locator } from "playwright-core";
import { exactText } from "../harness/pageObjects/text";
import { type TreeRow, type TreeView } from "../harness/pageObjects/treeView";
import { type Workbench } from "../harness/pageObjects/workbench";
import { nlsString } from "./commandTitles";
import { completeDeviceLogin, pendingDeviceCodes, waitForNewDeviceCode } from "./deviceLogin";

/** The label of a port-forward row under a VM (src/vscode/tree/forwardPresentation.ts). */
export const FORWARD_ROW = / → localhost:\d+$/;

/** Where the simulator is, as the sign-in needs it. */
export interface SimulatorEndpoints {
  controlUrl: string;
  deviceLoginUrl: string;
  /**
   * Open the device-login page by clicking the link in the extension's sign-in notification, as a
   * user does, instead of going to `deviceLoginUrl`: proves the link works through code-server (its
   * /proxy/<port>/ rewrite) and needs no certificate exception. `deviceLoginUrl` is then where the
   * tab must land.
   */
  followNotificationLink?: boolean;
}

/**
 * Page object for the product's own surface: the Azure JIT Connect view container, its "Virtual
 * Machines" tree, and the device-code sign-in. Titles come from package.nls.json.
 */
export class AzureJitView {
  readonly tree: TreeView;
  /** Who signs in where, for codes asked later (another tenant, a step-up). */
  private signedIn: { sim: SimulatorEndpoints; account: { upn: string; mfa?: boolean } } | undefined;
  private readonly enteredCodes = new Set<string>();

  constructor(
    readonly workbench: Workbench,
    private readonly context: BrowserContext,
  ) {
    this.tree = workbench.view(nlsString("azureJit.vms.name"));
  }

  /** Shows the view container (this also activates the extension: `onView:azureJit.vms`). */
  async open(): Promise<void> {
    await this.workbench.openViewContainer(nlsString("azureJit.container.title"));
    await this.tree.waitForVisible();
  }

  /** The signed-out welcome view's sign-in button (its label from the manifest's welcome text). */
  signInButton(): Locator {
    const label = /\[([^\]]+)\]\(command:azureJit\.signIn\)/.exec(nlsString("azureJit.welcome.signedOut"))?.[1];
    if (!label) throw new Error("the signed-out welcome text has no link to azureJit.signIn");
    return this.tree.pane.locator(".welcome-view-content .monaco-button", { hasText: exactText(label) });
  }

  /**
   * Signs in as a user does: "Sign In to Azure" in the welcome view, read the code the extension
   * shows, enter it on the simulator's device-login page in a second tab. Should the extension ask
   * for another code while the VMs load (a sign-in per tenant, for the guest tenant Fabrikam), it is
   * entered the same way. Resolves once the tree shows rows; returns the codes entered.
   */
  async signIn(sim: SimulatorEndpoints, account: { upn: string; mfa?: boolean }, timeoutMs = 90_000): Promise<string[]> {
    this.signedIn = { sim, account };
    await this.signInButton().click();
    const first = await waitForNewDeviceCode(sim.controlUrl, this.enteredCodes);
    await this.enterCode(first);
    const deadline = Date.now() + timeoutMs;
    while ((await this.tree.rows()).length === 0) {
      if (Date.now() > deadline) throw new Error(`no VM rows within ${timeoutMs} ms after sign-in (codes entered: ${[...this.enteredCodes].join(", ")})`);
      await this.enterNewCodes();
      await this.workbench.page.waitForTimeout(250);
    }
    return [...this.enteredCodes];
  }

  /** Enters one code as the user: VS Code must show it, then the device-login page takes it. */
  private async enterCode(userCode: string, mfa = this.signedIn?.account.mfa): Promise<void> {
    if (!this.signedIn) throw new Error("signIn() first");
    this.enteredCodes.add(userCode);
    // The user learns the code from VS Code, not from the simulator: it must be on screen.
    const toast = await this.workbench.notifications.waitFor(userCode, 15_000);
    const sim = this.signedIn.sim;
    const input = { deviceLoginUrl: sim.deviceLoginUrl, userCode, upn: this.signedIn.account.upn, mfa };
    if (!sim.followNotificationLink) {
      await completeDeviceLogin(this.context, input);
    } else {
      const [tab] = await Promise.all([this.context.waitForEvent("page", { timeout: 15_000 }), toast.locator(".notification-list-item-message a").first().click()]);
      await tab.waitForLoadState("domcontentloaded");
      if (tab.url() !== sim.deviceLoginUrl) throw new Error(`the sign-in link opened ${tab.url()}, not ${sim.deviceLoginUrl}`);
      await completeDeviceLogin(this.context, input, tab);
    }
    await this.workbench.page.bringToFront();
  }

  /** Waits for the next code the extension asks for (a step-up sign-in) and enters it; returns it. */
  async enterNextCode(options: { mfa: boolean }, timeoutMs = 30_000): Promise<string> {
    if (!this.signedIn) throw new Error("signIn() first");
    const code = await waitForNewDeviceCode(this.signedIn.sim.controlUrl, this.enteredCodes, timeoutMs);
    await this.enterCode(code, options.mfa);
    return code;
  }

  /** Codes the extension asked for since the last look (another tenant's sign-in, a step-up). */
  async enterNewCodes(): Promise<void> {
    if (!this.signedIn) return;
    for (const code of await pendingDeviceCodes(this.signedIn.sim.controlUrl)) if (!this.enteredCodes.has(code)) await this.enterCode(code);
  }

  /**
   * Drags the side bar's edge so that descriptions ("needs PIM · no credential") are not cut off in
   * screenshots; the workbench keeps the width for the session.
   */
  async widenSideBar(width: number): Promise<void> {
    const box = await this.workbench.page.locator(".part.sidebar").boundingBox();
    if (!box || box.width >= width) return;
    const page = this.workbench.page;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width - 1, y);
    await page.mouse.down();
    await page.mouse.move(box.x + width, y, { steps: 5 });
    await page.mouse.up();
  }

  /** Hovers a VM's row and returns its tooltip's text once it contains `expected`. */
  async vmTooltip(name: string, expected: string | RegExp): Promise<string> {
    const row = await this.tree.waitForRow(name);
    await row.locator(".label-name").hover();
    return this.workbench.waitForHover(expected);
  }

  /** Expands every collapsed group row (tenants, subscriptions), until none is left. */
  async expandAll(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const collapsed = this.tree.pane.locator('.pane-body .monaco-list-row[aria-expanded="false"]');
      if ((await collapsed.count()) === 0) return;
      if (Date.now() > deadline) throw new Error("tree rows stayed collapsed");
      await collapsed.first().locator(".monaco-tl-twistie").click();
    }
  }

  /**
   * The VM rows, by label: the tree's leaves, and the rows whose children are port forwards
   * ("Jupyter → localhost:49152"); forward rows are not VMs. (A VM whose forwards are collapsed
   * looks like a group here: the tree opens a VM with forwards, so only a user's collapse hides them.)
   */
  async vmRows(): Promise<Map<string, TreeRow>> {
    const rows = await this.tree.rows();
    const isForward = (r: TreeRow | undefined): boolean => r !== undefined && FORWARD_ROW.test(r.label);
    const isVm = (r: TreeRow, i: number): boolean => !isForward(r) && (r.expanded === undefined || (isForward(rows[i + 1]) && rows[i + 1]!.level === r.level + 1));
    return new Map(rows.filter(isVm).map((r) => [r.label, r]));
  }

  /** Waits until every named VM is listed (expanding groups as they appear); returns the rows. */
  async waitForVms(names: readonly string[], timeoutMs = 60_000): Promise<Map<string, TreeRow>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.enterNewCodes();
      await this.expandAll().catch(() => undefined);
      const rows = await this.vmRows();
      const missing = names.filter((n) => !rows.has(n));
      if (missing.length === 0) return rows;
      if (Date.now() > deadline) throw new Error(`the VM view did not list ${missing.join(", ")} within ${timeoutMs} ms; it shows: ${JSON.stringify([...(await this.tree.rows()).map((r) => `${r.label} — ${r.description}`)])}`);
      await this.workbench.page.waitForTimeout(250);
    }
  }

  /** Waits until a VM's row description matches (its state as the tree shows it). */
  async waitForVmDescription(name: string, expected: RegExp, timeoutMs = 30_000): Promise<TreeRow> {
    const deadline = Date.now() + timeoutMs;
    let last: TreeRow | undefined;
    for (;;) {
      last = (await this.vmRows()).get(name);
      if (last && expected.test(last.description)) return last;
      if (Date.now() > deadline) throw new Error(`${name}: description ${JSON.stringify(last?.description)} did not match ${String(expected)} within ${timeoutMs} ms`);
      await this.workbench.page.waitForTimeout(200);
    }
  }
}
