import { type Locator, type Page } from "playwright-core";
import { type DomElement, exactText, type TextMatch } from "./text";

export interface NotificationInfo {
  message: string;
  /** "Source: <extension name>" as VS Code shows it, or empty. */
  source: string;
  severity: "info" | "warning" | "error" | "unknown";
  buttons: string[];
}

/** Notification toasts (`window.show{Information,Warning,Error}Message`, progress notifications). */
export class Notifications {
  constructor(private readonly page: Page) {}

  private toasts(): Locator {
    return this.page.locator(".notifications-toasts .notification-toast-container");
  }

  /** The toasts currently shown, newest first (as VS Code stacks them). */
  async list(): Promise<NotificationInfo[]> {
    return this.toasts().evaluateAll((toasts: DomElement[]) =>
      toasts.map((toast) => {
        const icon = toast.querySelector(".notification-list-item-icon")?.className ?? "";
        const severity = icon.includes("codicon-error") ? "error" : icon.includes("codicon-warning") ? "warning" : icon.includes("codicon-info") ? "info" : "unknown";
        const buttons = [...toast.querySelectorAll(".notification-list-item-buttons-container .monaco-button")].map((b) => b.textContent?.trim() ?? "");
        return {
          message: toast.querySelector(".notification-list-item-message")?.textContent?.trim() ?? "",
          source: toast.querySelector(".notification-list-item-source")?.textContent?.trim() ?? "",
          severity,
          buttons,
        };
      }),
    );
  }

  /** The toast whose message matches, once it is visible. */
  async waitFor(message: TextMatch, timeout = 15_000): Promise<Locator> {
    const toast = this.toasts().filter({ has: this.page.locator(".notification-list-item-message", { hasText: message }) }).first();
    await toast.waitFor({ state: "visible", timeout });
    return toast;
  }

  /** Clicks a button of the toast whose message matches. */
  async clickButton(message: TextMatch, button: string, timeout = 15_000): Promise<void> {
    const toast = await this.waitFor(message, timeout);
    await toast.locator(".notification-list-item-buttons-container .monaco-button", { hasText: exactText(button) }).click();
  }

  async waitForGone(message: TextMatch, timeout = 15_000): Promise<void> {
    await this.toasts().filter({ has: this.page.locator(".notification-list-item-message", { hasText: message }) }).waitFor({ state: "detached", timeout });
  }

  /** Closes every toast (keeps screenshots and later lookups unambiguous). */
  async clearAll(): Promise<void> {
    await this.page.keyboard.press("Escape");
    for (const close of await this.toasts().locator(".codicon-notifications-clear").all()) {
      await close.click().catch(() => undefined);
    }
  }
}
