import { type Locator, type Page } from "playwright-core";
import { type DomElement, exactText } from "./text";

export interface TreeRow {
  label: string;
  description: string;
  /** The accessible label: VS Code uses the tree item's `accessibilityInformation` or label + description. */
  ariaLabel: string;
  /** 1 for top-level rows. */
  level: number;
  /** undefined for leaves. */
  expanded: boolean | undefined;
  selected: boolean;
}

/**
 * One view (a pane in a view container), found by its title (a string matches the whole title,
 * case-insensitively; a RegExp as written). When a container holds a single view, VS Code hides the
 * pane header but keeps it in the DOM, so the lookup still works.
 */
export class TreeView {
  readonly pane: Locator;

  constructor(
    private readonly page: Page,
    readonly title: string | RegExp,
  ) {
    const text = typeof title === "string" ? exactText(title, "i") : title;
    this.pane = page.locator(".pane").filter({ has: page.locator(".pane-header .title", { hasText: text }) }).first();
  }

  async waitForVisible(timeout = 15_000): Promise<void> {
    await this.pane.locator(".pane-body").waitFor({ state: "visible", timeout });
  }

  /** Expands the pane if it is collapsed (its header toggles it). */
  async expandPane(): Promise<void> {
    const header = this.pane.locator(".pane-header");
    if ((await header.getAttribute("aria-expanded")) === "false") await header.click();
    await this.waitForVisible();
  }

  private rowLocator(): Locator {
    return this.pane.locator(".pane-body .monaco-list-row");
  }

  /** The rendered rows in display order (the list is virtual: only rows in view are in the DOM). */
  async rows(): Promise<TreeRow[]> {
    return this.rowLocator().evaluateAll((rows: DomElement[]) =>
      rows
        .map((row) => {
          const expanded = row.getAttribute("aria-expanded");
          return {
            top: Number.parseFloat(/top:\s*(-?[\d.]+)px/.exec(row.getAttribute("style") ?? "")?.[1] ?? "0"),
            label: row.querySelector(".label-name")?.textContent?.trim() ?? "",
            description: row.querySelector(".label-description")?.textContent?.trim() ?? "",
            ariaLabel: row.getAttribute("aria-label") ?? "",
            level: Number(row.getAttribute("aria-level") ?? "1"),
            expanded: expanded === null ? undefined : expanded === "true",
            selected: row.getAttribute("aria-selected") === "true",
          };
        })
        .sort((a, b) => a.top - b.top)
        .map(({ top: _top, ...row }) => row),
    );
  }

  /** Waits until some row's label matches (trees fill asynchronously). */
  async waitForRow(label: string | RegExp, timeout = 15_000): Promise<Locator> {
    const row = this.row(label);
    await row.waitFor({ state: "visible", timeout });
    return row;
  }

  /** Waits until no row's label matches (a row removed by the extension). */
  async waitForRowGone(label: string | RegExp, timeout = 15_000): Promise<void> {
    await this.row(label).waitFor({ state: "detached", timeout });
  }

  row(label: string | RegExp): Locator {
    const text = typeof label === "string" ? exactText(label) : label;
    return this.rowLocator().filter({ has: this.page.locator(".label-name", { hasText: text }) }).first();
  }

  async click(label: string | RegExp): Promise<void> {
    await (await this.waitForRow(label)).click();
  }

  /** Expands a collapsed row (no-op on expanded rows and leaves). */
  async expand(label: string | RegExp): Promise<void> {
    const row = await this.waitForRow(label);
    if ((await row.getAttribute("aria-expanded")) === "false") await row.locator(".monaco-tl-twistie").click();
  }

  /** Clicks an inline action (the icons shown on hover), by its title. */
  async clickInlineAction(label: string | RegExp, actionTitle: string): Promise<void> {
    const row = await this.waitForRow(label);
    const action = row.locator(`.actions .action-label[aria-label^="${actionTitle.replace(/"/g, '\\"')}"]`);
    // The row's own tooltip (a rich hover) can open over the action while the click waits for it to
    // settle; then close the hover (Escape, mouse away) and try again.
    for (let attempt = 1; ; attempt++) {
      await row.hover();
      try {
        await action.click({ timeout: 3000 });
        return;
      } catch (error) {
        if (attempt >= 3) throw error;
        await this.page.keyboard.press("Escape");
        await this.page.mouse.move(0, 0);
      }
    }
  }

  /**
   * Opens the row's context menu and runs an entry. The entry is focused by hovering and run with
   * Enter: a click right after the menu opens is swallowed (VS Code ignores a mouse-up that comes
   * too soon after the menu appeared, so that the right-click's own mouse-up does not pick an item).
   */
  async clickContextMenu(label: string | RegExp, entry: string): Promise<void> {
    const row = await this.waitForRow(label);
    await row.click({ button: "right" });
    const menu = this.page.locator(".context-view .monaco-menu");
    await menu.waitFor({ state: "visible" });
    const item = menu.locator(".action-item .action-label", { hasText: exactText(entry) });
    await item.hover();
    await menu.locator(".action-item.focused .action-label", { hasText: exactText(entry) }).waitFor();
    await this.page.keyboard.press("Enter");
    await menu.waitFor({ state: "hidden" });
  }

  /** The view's message (`TreeView.message`), shown above the rows; "" when there is none. */
  async message(): Promise<string> {
    const el = this.pane.locator(".pane-body .message").first();
    if ((await el.count()) === 0 || !(await el.isVisible())) return "";
    return ((await el.textContent()) ?? "").trim();
  }

  /**
   * A title action of the view, by its accessible label: in the pane's header, or, when the
   * container holds this view alone (the header is then hidden), in the side bar's title bar.
   */
  titleAction(label: string): Locator {
    const attr = `[aria-label="${label.replace(/["\\]/g, (c) => `\\${c}`)}"]`;
    return this.page.locator(`.part.sidebar .composite.title .title-actions .action-label${attr}`).or(this.pane.locator(`.pane-header .actions .action-label${attr}`)).first();
  }

  /** The welcome content shown when the tree is empty (`viewsWelcome`). */
  async welcomeText(): Promise<string> {
    return (await this.pane.locator(".welcome-view-content").textContent())?.trim() ?? "";
  }
}
