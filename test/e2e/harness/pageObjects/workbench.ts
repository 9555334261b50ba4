import * as fs from "node:fs";
import * as path from "node:path";
import { type Locator, type Page } from "playwright-core";
import { fileSafe, screenshotsDir } from "../paths";
import { Dialog } from "./dialog";
import { Notifications } from "./notifications";
import { OutputPanel } from "./output";
import { QuickInput } from "./quickInput";
import { Terminal } from "./terminal";
import { escapeRegExp, exactText, matches, type TextMatch } from "./text";
import { TreeView } from "./treeView";

export interface StatusBarEntry {
  id: string;
  /** The rendered text; codicons (`$(shield)`) render as empty spans, so they are absent. */
  text: string;
  ariaLabel: string;
}

/** Page objects for the VS Code workbench running in code-server. */
export class Workbench {
  readonly quickInput: QuickInput;
  readonly notifications: Notifications;
  readonly output: OutputPanel;
  readonly terminal: Terminal;
  readonly dialog: Dialog;

  constructor(readonly page: Page) {
    this.dialog = new Dialog(page);
    this.quickInput = new QuickInput(page);
    this.notifications = new Notifications(page);
    this.output = new OutputPanel(page);
    this.terminal = new Terminal(page);
  }

  /** Waits for the workbench shell and its status bar (the last part to be laid out). */
  async waitForReady(timeout = 60_000): Promise<void> {
    await this.page.locator(".monaco-workbench").waitFor({ state: "visible", timeout });
    await this.page.locator(".part.statusbar .statusbar-item").first().waitFor({ state: "visible", timeout });
  }

  /** The activity bar entry of a view container, by the start of its title ("Explorer", "Azure JIT"). */
  activityBarItem(title: string): Locator {
    return this.page.locator(`.part.activitybar li.action-item[role="tab"]:has(a.action-label[aria-label^="${title.replace(/"/g, '\\"')}"])`);
  }

  /** Shows a view container; clicking an already selected entry would hide the side bar, so it checks first. */
  async openViewContainer(title: string, timeout = 15_000): Promise<void> {
    const item = this.activityBarItem(title);
    await item.waitFor({ state: "visible", timeout });
    const sideBarVisible = await this.page.locator(".part.sidebar").isVisible();
    if ((await item.getAttribute("aria-selected")) !== "true" || !sideBarVisible) await item.click();
    await this.page.locator(".part.sidebar .composite.title", { hasText: new RegExp(escapeRegExp(title), "i") }).first().waitFor({ state: "visible", timeout });
  }

  /** A view (pane) of the open view container, by its title. */
  view(title: string | RegExp): TreeView {
    return new TreeView(this.page, title);
  }

  /** Opens the command palette, as a user would: F1. */
  async openCommandPalette(): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.page.keyboard.press("F1");
      try {
        await this.quickInput.waitForOpen(3000);
        return;
      } catch {
        // F1 is lost when nothing in the workbench has focus yet; give the editor area focus and retry.
        await this.page.locator(".part.editor").click({ position: { x: 5, y: 5 } }).catch(() => undefined);
      }
    }
    await this.quickInput.waitForOpen(3000);
  }

  /**
   * Runs a command from the palette by its full title as the palette shows it ("Azure JIT: Show Log"):
   * F1, type, wait until that entry is the focused one, Enter.
   */
  async runCommand(title: string, timeout = 15_000): Promise<void> {
    await this.openCommandPalette();
    await this.quickInput.input.fill(`>${title}`);
    const focused = this.quickInput.widget.locator(".monaco-list-row.focused .label-name", { hasText: exactText(title) });
    await focused.waitFor({ state: "visible", timeout });
    await this.quickInput.input.press("Enter");
    // The palette is done when the widget closes, or when the command reused it for its own quick
    // pick or input box (then the `>` prefix is gone).
    const deadline = Date.now() + timeout;
    while ((await this.quickInput.isOpen()) && (await this.quickInput.value().catch(() => "")).startsWith(">")) {
      if (Date.now() > deadline) throw new Error(`the command palette stayed open after running "${title}"`);
      await this.page.waitForTimeout(50);
    }
  }

  /** Every status bar entry currently shown. */
  async statusBarEntries(): Promise<StatusBarEntry[]> {
    return this.page.locator(".part.statusbar .statusbar-item").evaluateAll((items: { id: string; getAttribute(n: string): string | null; querySelector(s: string): { textContent: string | null } | null }[]) =>
      items.map((item) => ({
        id: item.id,
        text: (item.querySelector(".statusbar-item-label")?.textContent ?? "").replace(/\s+/g, " ").trim(),
        ariaLabel: item.getAttribute("aria-label") ?? "",
      })),
    );
  }

  /**
   * The status bar entry with this id (for an extension's item created with an id, VS Code uses
   * `<publisher>.<name>.<id>`; a suffix match is enough) or whose text matches.
   */
  async statusBarItem(match: { id: string } | { text: TextMatch }): Promise<StatusBarEntry | undefined> {
    const entries = await this.statusBarEntries();
    return entries.find((e) => ("id" in match ? e.id === match.id || e.id.endsWith(`.${match.id}`) : matches(e.text, match.text)));
  }

  async waitForStatusBarItem(match: { id: string } | { text: TextMatch }, timeout = 15_000): Promise<StatusBarEntry> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const entry = await this.statusBarItem(match);
      if (entry) return entry;
      if (Date.now() > deadline) throw new Error(`no status bar item ${JSON.stringify(match, (_k, v: unknown) => (v instanceof RegExp ? String(v) : v))}; shown: ${JSON.stringify(await this.statusBarEntries())}`);
      await this.page.waitForTimeout(200);
    }
  }

  /** The hover (tooltip) currently shown, once its text matches; returns its text. */
  async waitForHover(expected: TextMatch, timeout = 15_000): Promise<string> {
    const hover = this.page.locator(".monaco-hover, .workbench-hover").filter({ hasText: expected }).first();
    await hover.waitFor({ state: "visible", timeout });
    return ((await hover.textContent()) ?? "").trim();
  }

  /** Hovers a status bar entry (by id, as {@link statusBarItem}) to show its tooltip. */
  async hoverStatusBarItem(id: string): Promise<void> {
    const entry = await this.waitForStatusBarItem({ id });
    await this.page.locator(`.part.statusbar .statusbar-item[id="${entry.id}"] .statusbar-item-label`).hover();
  }

  async clickStatusBarItem(id: string): Promise<void> {
    const entry = await this.waitForStatusBarItem({ id });
    await this.page.locator(`.part.statusbar .statusbar-item[id="${entry.id}"] .statusbar-item-label`).click();
  }

  /**
   * Saves a full-page screenshot to test-results/screenshots/<name>.png and returns its path.
   * `keepPointer` leaves the mouse where it is, to picture a hover on purpose.
   */
  async screenshot(name: string, options: { keepPointer?: boolean } = {}): Promise<string> {
    fs.mkdirSync(screenshotsDir, { recursive: true });
    // Park the mouse on the empty middle of the status bar, so that the hover of the last clicked
    // element (an activity bar tooltip, say) is not in the picture.
    const viewport = this.page.viewportSize();
    if (viewport && !options.keepPointer) {
      await this.page.mouse.move(viewport.width / 2, viewport.height - 4);
      await this.page.waitForTimeout(150);
    }
    const file = path.join(screenshotsDir, `${fileSafe(name)}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }
}
