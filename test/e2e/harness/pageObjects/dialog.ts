import { type Locator, type Page } from "playwright-core";
import { exactText, type TextMatch } from "./text";

/** The workbench's modal dialog (`showInformationMessage(..., { modal: true })`, confirmations). */
export class Dialog {
  readonly box: Locator;

  constructor(page: Page) {
    this.box = page.locator(".monaco-dialog-box");
  }

  /** Waits for a dialog whose message matches; returns its message and detail. */
  async waitFor(message: TextMatch, timeout = 15_000): Promise<{ message: string; detail: string }> {
    await this.box.locator(".dialog-message-text", { hasText: message }).waitFor({ state: "visible", timeout });
    return {
      message: (await this.box.locator(".dialog-message-text").textContent())?.trim() ?? "",
      detail: (await this.box.locator(".dialog-message-detail").textContent().catch(() => ""))?.trim() ?? "",
    };
  }

  async buttons(): Promise<string[]> {
    return (await this.box.locator(".dialog-buttons .monaco-button").allTextContents()).map((t) => t.trim());
  }

  /** Clicks a button by its exact label and waits for the dialog to close. */
  async click(button: string, timeout = 15_000): Promise<void> {
    await this.box.locator(".dialog-buttons .monaco-button", { hasText: exactText(button) }).click({ timeout });
    await this.box.waitFor({ state: "hidden", timeout });
  }
}
