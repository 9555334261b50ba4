import { type Locator, type Page } from "playwright-core";
import { type DomElement, exactText } from "./text";

export interface QuickPickItem {
  label: string;
  description: string;
  detail: string;
  /** Only meaningful for multi-select pickers. */
  checked: boolean;
  focused: boolean;
}

/** The quick input widget: the command palette, `showQuickPick` and `showInputBox` all use it. */
export class QuickInput {
  readonly widget: Locator;
  readonly input: Locator;

  constructor(private readonly page: Page) {
    this.widget = page.locator(".quick-input-widget");
    this.input = this.widget.locator(".quick-input-box input");
  }

  async waitForOpen(timeout = 10_000): Promise<void> {
    await this.input.waitFor({ state: "visible", timeout });
  }

  async waitForClosed(timeout = 10_000): Promise<void> {
    await this.widget.waitFor({ state: "hidden", timeout });
  }

  async isOpen(): Promise<boolean> {
    return this.widget.isVisible();
  }

  async title(): Promise<string> {
    return (await this.widget.locator(".quick-input-title").textContent())?.trim() ?? "";
  }

  /** The validation or prompt message under the input box. */
  async message(): Promise<string> {
    return (await this.widget.locator(".quick-input-message").textContent())?.trim() ?? "";
  }

  async value(): Promise<string> {
    return this.input.inputValue();
  }

  private rows(): Locator {
    return this.widget.locator(".quick-input-list .monaco-list-row");
  }

  /** The rendered items (the list is virtual: only those in view are in the DOM). */
  async items(): Promise<QuickPickItem[]> {
    await this.waitForOpen();
    return this.rows().evaluateAll((rows: DomElement[]) =>
      rows.map((row) => {
        const checkbox = row.querySelector("input.quick-input-list-checkbox, .quick-input-list-checkbox input");
        return {
          label: row.querySelector(".label-name")?.textContent?.trim() ?? "",
          description: row.querySelector(".label-description")?.textContent?.trim() ?? "",
          detail: row.querySelector(".quick-input-list-label-meta .label-name")?.textContent?.trim() ?? "",
          checked: checkbox ? checkbox.matches(":checked") : row.getAttribute("aria-checked") === "true",
          focused: row.classList.contains("focused"),
        };
      }),
    );
  }

  /** Types into the input box, replacing what is there. */
  async fill(text: string): Promise<void> {
    await this.waitForOpen();
    await this.input.fill(text);
  }

  /** Answers an input box: fill, Enter, and wait until the widget closes. */
  async submit(text: string): Promise<void> {
    await this.fill(text);
    await this.input.press("Enter");
    await this.waitForClosed();
  }

  /**
   * Picks the item whose label is exactly `label` (codicons are ignored): filters by typing it,
   * waits until that item is the focused one, then presses Enter. For multi-select pickers, use
   * {@link toggle} and {@link accept}.
   */
  async pick(label: string, options: { filter?: boolean } = {}): Promise<void> {
    await this.waitForOpen();
    if (options.filter ?? true) await this.input.fill(label);
    const row = this.rows().filter({ has: this.page.locator(".label-name", { hasText: exactText(label) }) }).first();
    await row.waitFor({ state: "visible" });
    await row.click();
  }

  /** Toggles the checkbox of an item in a multi-select picker. */
  async toggle(label: string): Promise<void> {
    const row = this.rows().filter({ has: this.page.locator(".label-name", { hasText: exactText(label) }) }).first();
    await row.locator(".quick-input-list-checkbox").click();
  }

  /** Presses OK (multi-select) or Enter. */
  async accept(): Promise<void> {
    const ok = this.widget.locator(".quick-input-action .monaco-button", { hasText: /^OK$/ });
    if (await ok.isVisible()) await ok.click();
    else await this.input.press("Enter");
    await this.waitForClosed();
  }

  async cancel(): Promise<void> {
    await this.input.press("Escape");
    await this.waitForClosed();
  }
}
