import { cancelRequest } from "./cancelRequest";
import { checkConnectivity } from "./checkConnectivity";
import { checkSetup } from "./checkSetup";
import { chooseCredential } from "./chooseCredential";
import type { CommandHandler } from "./commandContext";
import type { CommandId } from "./commandIds";
import { connect } from "./connect";
import { copySshCommand } from "./copySshCommand";
import { deactivateAccess } from "./deactivateAccess";
import { demoAdvanceClock, demoApprovePending, demoDenyPending } from "./demoCommands";
import { exportAccessHistory } from "./exportAccessHistory";
import { extendAccess } from "./extendAccess";
import { filterSubscriptions } from "./filterSubscriptions";
import { forgetHostKey } from "./forgetHostKey";
import { forwardPort } from "./forwardPort";
import { openForwardInBrowser, openSelectedRow, stopForward } from "./forwardRow";
import { groupBy } from "./groupBy";
import { openInPortal } from "./openInPortal";
import { openSshTerminal } from "./openSshTerminal";
import { refresh } from "./refresh";
import { removeSshConfig } from "./removeSshConfig";
import { requestAccess } from "./requestAccess";
import { setServicePrincipalSecret } from "./setServicePrincipalSecret";
import { showAccessHistory } from "./showAccessHistory";
import { showGrants } from "./showGrants";
import { showLog } from "./showLog";
import { signIn } from "./signIn";
import { signInAgain } from "./signInAgain";
import { signOut } from "./signOut";
import { startVm } from "./startVm";
import { stopPortForward } from "./stopPortForward";

/** Every command id with its handler: the type makes a missing or unknown id a compile error. */
export const COMMAND_HANDLERS: Record<CommandId, CommandHandler> = {
  "azureJit.signIn": signIn,
  "azureJit.signOut": signOut,
  "azureJit.signInAgain": signInAgain,
  "azureJit.refresh": refresh,
  "azureJit.requestAccess": requestAccess,
  "azureJit.connect": connect,
  "azureJit.openSshTerminal": openSshTerminal,
  "azureJit.copySshCommand": copySshCommand,
  "azureJit.forwardPort": forwardPort,
  "azureJit.extendAccess": extendAccess,
  "azureJit.deactivateAccess": deactivateAccess,
  "azureJit.cancelRequest": cancelRequest,
  "azureJit.checkConnectivity": checkConnectivity,
  "azureJit.checkSetup": checkSetup,
  "azureJit.startVm": startVm,
  "azureJit.chooseCredential": chooseCredential,
  "azureJit.forgetHostKey": forgetHostKey,
  "azureJit.openInPortal": openInPortal,
  "azureJit.filterSubscriptions": filterSubscriptions,
  "azureJit.groupBy": groupBy,
  "azureJit.showAccessHistory": showAccessHistory,
  "azureJit.exportAccessHistory": exportAccessHistory,
  "azureJit.removeSshConfig": removeSshConfig,
  "azureJit.showLog": showLog,
  "azureJit.showGrants": showGrants,
  "azureJit.setServicePrincipalSecret": setServicePrincipalSecret,
  "azureJit.stopPortForward": stopPortForward,
  "azureJit.openForwardInBrowser": openForwardInBrowser,
  "azureJit.stopForward": stopForward,
  "azureJit.openSelectedRow": openSelectedRow,
  "azureJit.demo.approvePending": demoApprovePending,
  "azureJit.demo.denyPending": demoDenyPending,
  "azureJit.demo.advanceClock": demoAdvanceClock,
};
