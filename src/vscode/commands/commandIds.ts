/**
 * Every command the extension contributes, typed. A test checks this list against package.json's
 * `contributes.commands` (and the extension-host test checks each is registered), so a command
 * cannot be added on one side only.
 */
export const COMMAND_IDS = [
  "azureJit.signIn",
  "azureJit.signOut",
  "azureJit.signInAgain",
  "azureJit.refresh",
  "azureJit.requestAccess",
  "azureJit.connect",
  "azureJit.openSshTerminal",
  "azureJit.copySshCommand",
  "azureJit.forwardPort",
  "azureJit.extendAccess",
  "azureJit.deactivateAccess",
  "azureJit.cancelRequest",
  "azureJit.checkConnectivity",
  "azureJit.checkSetup",
  "azureJit.startVm",
  "azureJit.chooseCredential",
  "azureJit.forgetHostKey",
  "azureJit.openInPortal",
  "azureJit.filterSubscriptions",
  "azureJit.groupBy",
  "azureJit.showAccessHistory",
  "azureJit.exportAccessHistory",
  "azureJit.removeSshConfig",
  "azureJit.showLog",
  "azureJit.showGrants",
  "azureJit.setServicePrincipalSecret",
  "azureJit.stopPortForward",
  "azureJit.openForwardInBrowser",
  "azureJit.stopForward",
  "azureJit.openSelectedRow",
  "azureJit.demo.approvePending",
  "azureJit.demo.denyPending",
  "azureJit.demo.advanceClock",
] as const;

export type CommandId = (typeof COMMAND_IDS)[number];
