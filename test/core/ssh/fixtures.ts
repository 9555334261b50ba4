import type { HostBlockOptions, SshHostEntry } from "../../../src/core/ssh/renderHostBlock";

/** Fixed inputs for golden tests (paths of a typical Linux and Windows machine). */
const SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups";

export const VM_READY = { id: `${SUB}/rg-ready/providers/Microsoft.Compute/virtualMachines/vm-ready`, name: "vm-ready" };
export const VM_PASSWORD = { id: `${SUB}/rg-pw/providers/Microsoft.Compute/virtualMachines/vm-password`, name: "vm-password" };

export const LINUX_ENTRIES: SshHostEntry[] = [
  { vm: VM_READY, userName: "azureuser", userField: "osProfile.adminUsername", auth: { kind: "key", identityFile: "/home/alice/.ssh/azure-jit-connect/keys/azjit-vm-ready-ae4316" } },
  { vm: VM_PASSWORD, userName: "ops_user", userField: 'tag "azure-jit-connect.username"', auth: { kind: "password" } },
];

export const LINUX_OPTIONS: HostBlockOptions = {
  proxy: {
    launcher: "/home/alice/.ssh/azure-jit-connect/azure-jit-tunnel",
    nodePath: "/usr/share/code/code",
    tunnelScript: "/home/alice/.config/Code/User/globalStorage/azure-jit-connect.azure-jit-connect/tunnel.js",
  },
  knownHostsFile: "/home/alice/.ssh/azure-jit-connect/known_hosts",
  platform: "linux",
};

export const WINDOWS_ENTRIES: SshHostEntry[] = [
  { vm: VM_READY, userName: "azureuser", userField: "osProfile.adminUsername", auth: { kind: "key", identityFile: "C:\\Users\\Alice\\.ssh\\azure-jit-connect\\keys\\azjit-vm-ready-ae4316" } },
];

export const WINDOWS_OPTIONS: HostBlockOptions = {
  proxy: {
    launcher: "C:\\Users\\Alice\\.ssh\\azure-jit-connect\\azure-jit-tunnel.cmd",
    nodePath: "C:\\Users\\Alice\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe",
    tunnelScript: "C:\\Users\\Alice\\AppData\\Roaming\\Code\\User\\globalStorage\\azure-jit-connect.azure-jit-connect\\tunnel.js",
  },
  knownHostsFile: "C:\\Users\\Alice\\.ssh\\azure-jit-connect\\known_hosts",
  platform: "win32",
};
