import { getPasswordThroughBroker } from "../core/broker/brokerClient";
import { isCancellation } from "../core/cancellation";
import { errorMessage } from "../core/errors";
import type { Logger } from "../core/logger";
import { ASKPASS_HOST_VARIABLE, isValidHost } from "../shared/brokerProtocol";
import type { TunnelCommand } from "./args";
import { ExitCode, exitCodeForError } from "./exitCodes";

type AskpassCommand = Extract<TunnelCommand, { kind: "askpass" }>;

export { ASKPASS_HOST_VARIABLE };

/**
 * SSH_ASKPASS helper: asks the broker for the VM's password and prints it on stdout, for ssh's pipe
 * only. It answers password prompts and nothing else: a host-key confirmation or a key passphrase
 * answered with a password would be wrong (OpenSSH sets SSH_ASKPASS_PROMPT=confirm|none for those).
 */
export async function runAskpassCommand(command: AskpassCommand, logger: Logger, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const host = env[ASKPASS_HOST_VARIABLE];
  if (!isValidHost(host)) {
    logger.error(`askpass: ${ASKPASS_HOST_VARIABLE} is not set; this helper is run by ssh through SSH_ASKPASS, as configured by Azure JIT Connect`);
    return ExitCode.usage;
  }
  const kind = env.SSH_ASKPASS_PROMPT;
  if (kind === "none") return ExitCode.ok;
  if (kind === "confirm" || (command.prompt !== undefined && !/password/i.test(command.prompt))) {
    logger.error(`askpass: only password prompts for ${host} are answered, not ${JSON.stringify((command.prompt ?? kind ?? "").trim().slice(0, 120))}`);
    return ExitCode.refused;
  }
  try {
    const password = await getPasswordThroughBroker(host, { waitForBrokerMs: command.common.waitForBrokerMs, logger });
    await new Promise<void>((resolve, reject) => process.stdout.write(`${password}\n`, (e) => (e ? reject(e) : resolve())));
    return ExitCode.ok;
  } catch (e) {
    if (isCancellation(e)) return ExitCode.interrupted;
    logger.error(errorMessage(e));
    return exitCodeForError(e);
  }
}
