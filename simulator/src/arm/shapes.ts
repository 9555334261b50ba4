/**
 * ARM JSON of the simulated resources, shaped after the REST API examples (§1.2, §4.1, §4.2):
 * `properties` nested, ids with ARM casing. Resource Graph rows are built from the same shapes.
 */
import { createHash } from "node:crypto";
import type { BastionModel, NetworkInterfaceModel, PowerState, VaultModel, VirtualMachineModel, VirtualNetworkModel } from "../world/model";
import type { World } from "../world/world";

const etag = (id: string, extra = ""): string => `W/"${createHash("sha1").update(id + extra).digest("hex").slice(0, 32).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5")}"`;
const guidOf = (id: string): string => createHash("sha1").update(`guid:${id.toLowerCase()}`).digest("hex").slice(0, 32).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");

const POWER_TEXT: Record<PowerState, string> = {
  running: "VM running",
  starting: "VM starting",
  stopping: "VM stopping",
  stopped: "VM stopped",
  deallocating: "VM deallocating",
  deallocated: "VM deallocated",
};

export function powerStatus(vm: VirtualMachineModel): { code: string; level: string; displayStatus: string } {
  return { code: `PowerState/${vm.power}`, level: "Info", displayStatus: POWER_TEXT[vm.power] };
}

export function vmInstanceView(vm: VirtualMachineModel, nowIso: string): Record<string, unknown> {
  const linux = vm.osType === "Linux";
  return {
    platformUpdateDomain: 0,
    platformFaultDomain: 0,
    computerName: vm.name,
    osName: linux ? "ubuntu" : "Windows Server 2022 Datacenter",
    osVersion: linux ? "22.04" : "10.0.20348",
    hyperVGeneration: "V2",
    vmAgent: {
      vmAgentVersion: linux ? "2.10.0.8" : "2.7.41491.1102",
      statuses: vm.power === "running" ? [{ code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Ready", message: "Guest Agent is running", time: nowIso }] : [],
      extensionHandlers: [],
    },
    disks: [{ name: `${vm.name}_OsDisk_1`, statuses: [{ code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Provisioning succeeded", time: new Date(vm.createdAt).toISOString() }] }],
    isVMInStandbyPool: false,
    statuses: [{ code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Provisioning succeeded", time: new Date(vm.createdAt).toISOString() }, powerStatus(vm)],
  };
}

export function vmToArm(vm: VirtualMachineModel, opts: { instanceView?: boolean; nowIso: string; tenantId?: string }): Record<string, unknown> {
  const tenantId = opts.tenantId;
  const linux = vm.osType === "Linux";
  const diskId = `/subscriptions/${vm.subscriptionId}/resourceGroups/${vm.resourceGroup.toUpperCase()}/providers/Microsoft.Compute/disks/${vm.name}_OsDisk_1`;
  return {
    name: vm.name,
    id: vm.id,
    type: "Microsoft.Compute/virtualMachines",
    location: vm.location,
    tags: vm.tags,
    // Compute's etag is a quoted counter ("\"1\"" in VirtualMachine_Get.json); simulated VMs are never updated.
    etag: '"1"',
    properties: {
      vmId: vm.vmGuid,
      hardwareProfile: { vmSize: vm.size },
      storageProfile: {
        imageReference: linux
          ? { publisher: "canonical", offer: "0001-com-ubuntu-server-jammy", sku: "22_04-lts-gen2", version: "latest", exactVersion: "22.04.202401090" }
          : { publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2022-datacenter-azure-edition", version: "latest", exactVersion: "20348.2227.240104" },
        osDisk: { osType: vm.osType, name: `${vm.name}_OsDisk_1`, createOption: "FromImage", caching: "ReadWrite", managedDisk: { storageAccountType: "Premium_LRS", id: diskId }, deleteOption: "Delete", diskSizeGB: linux ? 30 : 127 },
        dataDisks: [],
      },
      osProfile: {
        computerName: vm.name,
        adminUsername: vm.adminUsername,
        ...(linux
          ? { linuxConfiguration: { disablePasswordAuthentication: vm.credential?.type !== "password", provisionVMAgent: true, patchSettings: { patchMode: "ImageDefault", assessmentMode: "ImageDefault" } } }
          : { windowsConfiguration: { provisionVMAgent: true, enableAutomaticUpdates: true, patchSettings: { patchMode: "AutomaticByOS", assessmentMode: "ImageDefault" } } }),
        secrets: [],
        allowExtensionOperations: true,
        requireGuestProvisionSignal: true,
      },
      networkProfile: { networkInterfaces: [{ id: vm.nicId, properties: { primary: true } }] },
      diagnosticsProfile: { bootDiagnostics: { enabled: true } },
      provisioningState: "Succeeded",
      timeCreated: new Date(vm.createdAt).toISOString(),
      ...(opts.instanceView ? { instanceView: vmInstanceView(vm, opts.nowIso) } : {}),
    },
    ...vmIdentityAndExtensions(vm, tenantId),
  };
}

/** Azure-provided DNS gives every VNet its own `<random>.<region code>.internal.cloudapp.net` suffix; this one is stable per VNet. */
function internalDnsSuffix(subnetId: string): string {
  return `${guidOf(subnetId.replace(/\/subnets\/[^/]+$/i, "")).replace(/-/g, "").slice(0, 26)}.bx.internal.cloudapp.net`;
}

/** The Entra ID login extension's publisher and type (learn.microsoft.com howto-vm-sign-in-azure-ad-linux). */
export const AAD_SSH_EXTENSION = { publisher: "Microsoft.Azure.ActiveDirectory", type: "AADSSHLoginForLinux", name: "AADSSHLoginForLinux", typeHandlerVersion: "1.0" };

/**
 * `identity` (system-assigned: principalId, tenantId) and `resources` (installed extensions), as a
 * VM GET returns them. The extension needs the system-assigned identity: without one its
 * installation fails (exit code 22 per the docs), which ARM reports as provisioningState Failed.
 */
function vmIdentityAndExtensions(vm: VirtualMachineModel, tenantId: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (vm.systemIdentityPrincipalId) out.identity = { type: "SystemAssigned", principalId: vm.systemIdentityPrincipalId, tenantId: tenantId ?? "" };
  if (vm.entraLogin) {
    out.resources = [
      {
        name: AAD_SSH_EXTENSION.name,
        id: `${vm.id}/extensions/${AAD_SSH_EXTENSION.name}`,
        type: "Microsoft.Compute/virtualMachines/extensions",
        location: vm.location,
        properties: {
          autoUpgradeMinorVersion: true,
          provisioningState: vm.systemIdentityPrincipalId ? "Succeeded" : "Failed",
          publisher: AAD_SSH_EXTENSION.publisher,
          type: AAD_SSH_EXTENSION.type,
          typeHandlerVersion: AAD_SSH_EXTENSION.typeHandlerVersion,
        },
      },
    ];
  }
  return out;
}

export function nicToArm(nic: NetworkInterfaceModel): Record<string, unknown> {
  const mac = createHash("sha1").update(nic.id.toLowerCase()).digest("hex").slice(0, 12).toUpperCase().replace(/(..)(?!$)/g, "$1-");
  return {
    name: nic.name,
    id: nic.id,
    etag: etag(nic.id),
    type: "Microsoft.Network/networkInterfaces",
    location: nic.location,
    tags: nic.tags,
    properties: {
      provisioningState: "Succeeded",
      resourceGuid: guidOf(nic.id),
      ipConfigurations: [
        {
          name: "ipconfig1",
          id: `${nic.id}/ipConfigurations/ipconfig1`,
          etag: etag(nic.id),
          type: "Microsoft.Network/networkInterfaces/ipConfigurations",
          properties: { provisioningState: "Succeeded", privateIPAddress: nic.privateIp, privateIPAllocationMethod: "Dynamic", subnet: { id: nic.subnetId }, primary: true, privateIPAddressVersion: "IPv4" },
        },
      ],
      dnsSettings: { dnsServers: [], appliedDnsServers: [], internalDomainNameSuffix: internalDnsSuffix(nic.subnetId) },
      macAddress: mac,
      enableAcceleratedNetworking: false,
      disableTcpStateTracking: false,
      enableIPForwarding: false,
      primary: true,
      virtualMachine: { id: nic.vmId },
      nicType: "Standard",
      vnetEncryptionSupported: false,
    },
  };
}

export function vnetToArm(vnet: VirtualNetworkModel, world: World): Record<string, unknown> {
  return {
    name: vnet.name,
    id: vnet.id,
    etag: etag(vnet.id),
    type: "Microsoft.Network/virtualNetworks",
    location: vnet.location,
    tags: vnet.tags,
    properties: {
      provisioningState: "Succeeded",
      resourceGuid: guidOf(vnet.id),
      addressSpace: { addressPrefixes: vnet.addressPrefixes },
      subnets: vnet.subnets.map((s) => ({
        name: s.name,
        id: s.id,
        etag: etag(s.id),
        type: "Microsoft.Network/virtualNetworks/subnets",
        properties: { provisioningState: "Succeeded", addressPrefix: s.addressPrefix, delegations: [], privateEndpointNetworkPolicies: "Disabled", privateLinkServiceNetworkPolicies: "Enabled" },
      })),
      virtualNetworkPeerings: vnet.peeringVnetIds.map((remoteId) => {
        const remote = world.resource(remoteId);
        const remoteName = remoteId.split("/").pop() ?? "remote";
        const id = `${vnet.id}/virtualNetworkPeerings/${vnet.name}-to-${remoteName}`;
        return {
          name: `${vnet.name}-to-${remoteName}`,
          id,
          etag: etag(id),
          type: "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
          properties: {
            provisioningState: "Succeeded",
            peeringState: "Connected",
            peeringSyncLevel: "FullyInSync",
            remoteVirtualNetwork: { id: remoteId },
            allowVirtualNetworkAccess: true,
            allowForwardedTraffic: true,
            allowGatewayTransit: false,
            useRemoteGateways: false,
            remoteAddressSpace: { addressPrefixes: remote?.kind === "vnet" ? remote.addressPrefixes : [] },
          },
        };
      }),
      enableDdosProtection: false,
    },
  };
}

export function bastionToArm(b: BastionModel): Record<string, unknown> {
  const props: Record<string, unknown> = {
    provisioningState: "Succeeded",
    dnsName: b.dnsName,
    scaleUnits: b.scaleUnits,
    disableCopyPaste: false,
    enableTunneling: b.enableTunneling,
    enableIpConnect: b.enableIpConnect,
    enableShareableLink: false,
    enableKerberos: false,
    enableSessionRecording: false,
    enablePrivateOnlyBastion: false,
    ipConfigurations: b.subnet
      ? [
          {
            name: "IpConf",
            id: `${b.id}/bastionHostIpConfigurations/IpConf`,
            etag: etag(b.id),
            type: "Microsoft.Network/bastionHosts/bastionHostIpConfigurations",
            properties: {
              provisioningState: "Succeeded",
              privateIPAllocationMethod: "Dynamic",
              subnet: { id: b.subnet.id },
              publicIPAddress: { id: `/subscriptions/${b.subscriptionId}/resourceGroups/${b.resourceGroup}/providers/Microsoft.Network/publicIPAddresses/${b.name}-pip` },
            },
          },
        ]
      : [],
  };
  if (b.sku === "Developer") props.virtualNetwork = { id: b.vnetId };
  return { name: b.name, id: b.id, etag: etag(b.id), type: "Microsoft.Network/bastionHosts", location: b.location, tags: b.tags, sku: { name: b.sku }, zones: [], properties: props };
}

export function vaultToArm(v: VaultModel): Record<string, unknown> {
  return {
    id: v.id,
    name: v.name,
    type: "Microsoft.KeyVault/vaults",
    location: v.location,
    tags: v.tags,
    properties: {
      sku: { family: "A", name: "standard" },
      tenantId: v.tenantId,
      enableRbacAuthorization: true,
      // RBAC vaults: access policies are not used, so the list is empty.
      accessPolicies: [],
      // Soft delete defaults to true and cannot be turned off (Vault.enableSoftDelete in the spec).
      enableSoftDelete: true,
      softDeleteRetentionInDays: 90,
      enabledForDeployment: false,
      enabledForDiskEncryption: false,
      enabledForTemplateDeployment: false,
      vaultUri: v.uri ? `${v.uri}/` : "",
      provisioningState: "Succeeded",
      publicNetworkAccess: "Enabled",
    },
  };
}
