import { type Locator, type Page } from "playwright-core";
import { matches, type TextMatch } from "./text";

/** The Output panel: which channel is shown, and its text. */
export class OutputPanel {
  readonly view: Locator;

  constructor(private readonly page: Page) {
    this.view = page.locator(".part.panel .output-view, .part.panel [id='workbench.panel.output']").first();
  }

  async waitForVisible(timeout = 15_000): Promise<void> {
    await this.page.locator(".part.panel .monaco-editor").first().waitFor({ state: "visible", timeout });
  }

  /** The channel selected in the panel's channel picker. */
  async channel(): Promise<string> {
    const select = this.page.locator(".part.panel .title-actions select.monaco-select-box").first();
    return select.evaluate((el: { value: string; options: ArrayLike<{ value: string; text: string }>; selectedIndex: number }) => el.options[el.selectedIndex]?.text ?? el.value);
  }

  /** The text of the output editor (Monaco renders only the lines in view). */
  async text(): Promise<string> {
    const lines = await this.page.locator(".part.panel .monaco-editor .view-lines .view-line").evaluateAll((rows: { textContent: string | null; getAttribute(n: string): string | null }[]) =>
      rows
        .map((row) => ({ top: Number.parseFloat(/top:\s*(-?[\d.]+)px/.exec(row.getAttribute("style") ?? "")?.[1] ?? "0"), text: row.textContent ?? "" }))
        .sort((a, b) => a.top - b.top)
        .map((row) => row.text),
    );
    return lines.map((line) => line.replace(/\u00a0/g, " ")).join("\n");
  }

  async waitForText(expected: TextMatch, timeout = 15_000): Promise<string> {
    const deadline = Date.now() + timeout;
    let last = "";
    while (Date.now() < deadline) {
      last = await this.text().catch(() => "");
      if (matches(last, expected)) return last;
      await this.page.waitForTimeout(200);
    }
    throw new Error(`output text did not match ${String(expected)} within ${timeout} ms; it shows:\n${last}`);
  }
}
