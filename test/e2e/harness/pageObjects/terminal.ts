import { type Locator, type Page } from "playwright-core";
import { matches, type TextMatch } from "./text";

/**
 * The integrated terminal. Text is read from xterm's DOM renderer, which the harness forces with
 * `terminal.integrated.gpuAcceleration: "off"` (the canvas/WebGL renderers leave no text in the page).
 */
export class Terminal {
  readonly active: Locator;

  constructor(private readonly page: Page) {
    this.active = page.locator(".part.panel .terminal-wrapper.active .xterm");
  }

  /** Waits until a terminal is shown in the panel (for instance after a command created one). */
  async waitForTerminal(timeout = 20_000): Promise<void> {
    await this.active.locator(".xterm-rows").waitFor({ state: "visible", timeout });
  }

  /** The visible rows of the active terminal, trailing blanks trimmed. */
  async text(): Promise<string> {
    const rows = await this.active.locator(".xterm-rows > div").allTextContents();
    return rows.map((row) => row.replace(/\u00a0/g, " ").trimEnd()).join("\n").trimEnd();
  }

  async waitForText(expected: TextMatch, timeout = 20_000): Promise<string> {
    const deadline = Date.now() + timeout;
    let last = "";
    while (Date.now() < deadline) {
      last = await this.text().catch(() => "");
      if (matches(last, expected)) return last;
      await this.page.waitForTimeout(200);
    }
    throw new Error(`terminal text did not match ${String(expected)} within ${timeout} ms; it shows:\n${last}`);
  }

  /** Types a line into the active terminal, as a user would. */
  async typeLine(line: string): Promise<void> {
    await this.active.click();
    await this.page.keyboard.type(line);
    await this.page.keyboard.press("Enter");
  }

  /** The names of the open terminals: the tabs list, or with one terminal, the title in the panel's toolbar. */
  async names(): Promise<string[]> {
    const tabs = await this.page.locator(".part.panel .terminal-tabs-entry .label-name, .part.panel .single-terminal-tab").allTextContents();
    return tabs.map((t) => t.trim()).filter((t) => t.length > 0);
  }
}
