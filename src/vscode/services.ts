import type * as vscode from "vscode";
import type { AuthManager } from "./auth/authManager";
import type { JitConfig } from "./config";
import type { ContextKeys } from "./contextKeys";
import type { ErrorPresenter } from "./errors/errorPresenter";
import type { ReportDocuments } from "./reports/reportDocuments";
import type { ServiceHost } from "./serviceHost";
import type { SshConfigConsent } from "./sshConfigConsent";
import type { InventoryRefresher } from "./tree/inventoryRefresher";
import type { TreeNode } from "./tree/vmTreeModel";
import type { VmTreeProvider } from "./tree/vmTreeProvider";

/**
 * What commands and views are given (house style, practice 2): built once by the composition root
 * (src/extension.ts), passed down, disposed with the extension. No module holds any of it.
 */
export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly keys: ContextKeys;
  /** The current settings (read on every call: they can change at any time). */
  config(): JitConfig;
  readonly host: ServiceHost;
  readonly auth: AuthManager;
  readonly tree: VmTreeProvider;
  readonly treeView: vscode.TreeView<TreeNode>;
  readonly refresher: InventoryRefresher;
  readonly errors: ErrorPresenter;
  readonly reports: ReportDocuments;
  readonly consent: SshConfigConsent;
}
