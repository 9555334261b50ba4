import { JitError } from "../errors";
import { runSshTool } from "../ssh/sshTools";

/**
 * Asks OpenSSH itself to load a key file (`ssh-keygen -y`), which proves that ssh will accept it
 * (format, permissions) and gives its public key. `-P ""` makes an encrypted key fail instead of
 * prompting; only the file's path is in argv, never the key.
 */
export async function readPublicKeyWithSshKeygen(keyFile: string, sshKeygenPath = "ssh-keygen", signal?: AbortSignal): Promise<string> {
  const result = await runSshTool(sshKeygenPath, ["-y", "-P", "", "-f", keyFile], signal);
  const line = result.stdout.trim().split(/\s+/).slice(0, 2).join(" ");
  if (result.code !== 0 || !/^\S+ [A-Za-z0-9+/=]+$/.test(line)) {
    throw new JitError("SecretUnusable", `OpenSSH cannot load the key file ${keyFile}: ${result.stderr.trim() || `ssh-keygen exit code ${String(result.code)}`}`);
  }
  return line;
}
