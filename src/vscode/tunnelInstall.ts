import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import * as path from "node:path";
import type { TunnelProgram } from "../core/ssh/hostsFile";
import { ensurePrivateDir, writeFileAtomic } from "../core/fs/privateFiles";
import type { Logger } from "../core/logger";

/**
 * The tunnel program (`dist/tunnel.js`) at a stable path. The SSH config's ProxyCommand names it,
 * and the extension's own folder changes with every update (`…/azure-jit-connect-0.1.0/`), which
 * would break the config of a running Remote-SSH session and every other window's. So it is copied
 * to `<globalStorage>/bin/tunnel.js` when its content changed (as AWS Toolkit does for its
 * connect script).
 */
export async function installTunnelProgram(extensionPath: string, globalStoragePath: string, logger: Logger): Promise<TunnelProgram> {
  const source = path.join(extensionPath, "dist", "tunnel.js");
  const binDir = path.join(globalStoragePath, "bin");
  const target = path.join(binDir, "tunnel.js");
  const [wanted, installed] = await Promise.all([fsp.readFile(source), fsp.readFile(target).catch(() => undefined)]);
  if (installed === undefined || sha256(installed) !== sha256(wanted)) {
    await ensurePrivateDir(binDir);
    await writeFileAtomic(target, wanted, { mode: 0o600 });
    logger.info(`Installed the tunnel program at ${target}`);
  }
  return {
    // The extension host's runtime runs the tunnel: Electron (with ELECTRON_RUN_AS_NODE, through our
    // launcher) in desktop VS Code, plain Node in code-server and other server hosts.
    nodePath: process.execPath,
    tunnelScript: target,
    viaLauncher: Boolean(process.versions.electron),
  };
}

function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}
