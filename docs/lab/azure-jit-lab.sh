#!/usr/bin/env bash
# A minimal Azure lab for Azure JIT Connect: one resource group with a VNet, a Linux VM without a
# public IP, a Standard Bastion with native client support, a Key Vault holding the VM's SSH key,
# the VM's tags, a JIT policy on port 22 from the Bastion subnet, a custom role that may request
# JIT, and a PIM eligibility for it. Each step is explained in docs/azure-setup.md.
#
# NOT RUN AGAINST AZURE from this repository (it is tested against the built-in simulator only).
# Read it, run it in a test subscription, and delete the resource group afterwards:
#   az group delete --name "$RG" --yes
#
# Needs: az (logged in with Owner on the subscription and a PIM-capable tenant), jq, ssh-keygen, uuidgen.
# Costs money while it exists (Bastion Standard, a VM, Defender for Servers Plan 2).
set -euo pipefail

SUB="${SUB:-$(az account show --query id -o tsv)}"
LOC="${LOC:-westeurope}"
RG="${RG:-rg-jit-lab}"
VM="${VM:-vm-jit-lab}"
VNET="vnet-jit-lab"
BASTION="bas-jit-lab"
BASTION_PREFIX="10.60.1.0/26"
KV="${KV:-kv-jit-lab-$RANDOM}"
ADMIN_USER="azureuser"
USER_UPN="${USER_UPN:?set USER_UPN to the user who will connect}"
ROLE_NAME="JIT VM Connector"

az account set --subscription "$SUB"
az group create --name "$RG" --location "$LOC" -o none

# Network: the VM subnet and AzureBastionSubnet in one VNet.
az network vnet create -g "$RG" -n "$VNET" --address-prefixes 10.60.0.0/16 --subnet-name default --subnet-prefixes 10.60.0.0/24 -o none
az network vnet subnet create -g "$RG" --vnet-name "$VNET" -n AzureBastionSubnet --address-prefixes "$BASTION_PREFIX" -o none

# The VM: no public IP, an NSG (JIT needs one), a fresh key pair kept only in Key Vault below.
keydir="$(mktemp -d)"
trap 'rm -rf "$keydir"' EXIT
ssh-keygen -q -t ed25519 -N "" -f "$keydir/id_ed25519" -C "$VM"
az vm create -g "$RG" -n "$VM" --image Ubuntu2204 --size Standard_B2s --vnet-name "$VNET" --subnet default \
  --public-ip-address "" --nsg-rule NONE --admin-username "$ADMIN_USER" --ssh-key-values "$keydir/id_ed25519.pub" -o none
VM_ID="$(az vm show -g "$RG" -n "$VM" --query id -o tsv)"

# Bastion: Standard, native client support on (enableTunneling).
az network public-ip create -g "$RG" -n "pip-$BASTION" --sku Standard -o none
az network bastion create -g "$RG" -n "$BASTION" --vnet-name "$VNET" --public-ip-address "pip-$BASTION" \
  --sku Standard --enable-tunneling true --location "$LOC" -o none

# Key Vault (RBAC model), the private key as a secret, and the VM's two tags.
az keyvault create -g "$RG" -n "$KV" --location "$LOC" --enable-rbac-authorization true -o none
KV_ID="$(az keyvault show -n "$KV" --query id -o tsv)"
ME="$(az ad signed-in-user show --query id -o tsv)"
az role assignment create --role "Key Vault Secrets Officer" --assignee-object-id "$ME" --assignee-principal-type User --scope "$KV_ID" -o none
sleep 60 # role assignments take a while to reach the vault's data plane
az keyvault secret set --vault-name "$KV" --name "$VM-ssh-key" --file "$keydir/id_ed25519" -o none
az tag update --resource-id "$VM_ID" --operation Merge \
  --tags "azure-jit-connect.secret=https://$KV.vault.azure.net/secrets/$VM-ssh-key" "azure-jit-connect.username=$ADMIN_USER" -o none

# The user: standing Reader on the resource group, Key Vault Secrets User on the secret.
USER_ID="$(az ad user show --id "$USER_UPN" --query id -o tsv)"
az role assignment create --role "Reader" --assignee-object-id "$USER_ID" --assignee-principal-type User --scope "/subscriptions/$SUB/resourceGroups/$RG" -o none
az role assignment create --role "Key Vault Secrets User" --assignee-object-id "$USER_ID" --assignee-principal-type User --scope "$KV_ID/secrets/$VM-ssh-key" -o none

# Defender for Servers Plan 2 (JIT needs it), then the JIT policy: port 22 from the Bastion subnet only.
az security pricing create --name VirtualMachines --tier standard --subplan P2 -o none
az rest --method put \
  --url "https://management.azure.com/subscriptions/$SUB/resourceGroups/$RG/providers/Microsoft.Security/locations/$LOC/jitNetworkAccessPolicies/default?api-version=2020-01-01" \
  --body "$(jq -n --arg id "$VM_ID" --arg src "$BASTION_PREFIX" \
    '{kind: "Basic", properties: {virtualMachines: [{id: $id, ports: [{number: 22, protocol: "TCP", allowedSourceAddressPrefix: $src, maxRequestAccessDuration: "PT3H"}]}]}}')" -o none

# The custom role (the actions of docs/azure-setup.md, step 1) and a PIM eligibility for it on the resource group.
jq -n --arg sub "/subscriptions/$SUB" --arg name "$ROLE_NAME" '{
  Name: $name,
  Description: "Request just-in-time SSH access to a VM and read what Azure JIT Connect needs.",
  Actions: [
    "Microsoft.Security/locations/jitNetworkAccessPolicies/initiate/action",
    "Microsoft.Security/locations/jitNetworkAccessPolicies/read",
    "Microsoft.Security/locations/jitNetworkAccessPolicies/*/read",
    "Microsoft.Compute/virtualMachines/read",
    "Microsoft.Network/networkInterfaces/read",
    "Microsoft.Network/networkInterfaces/*/read",
    "Microsoft.Network/publicIPAddresses/read",
    "Microsoft.Network/virtualNetworks/read",
    "Microsoft.Network/bastionHosts/read"
  ],
  DataActions: [],
  AssignableScopes: [$sub]
}' >"$keydir/role.json"
az role definition create --role-definition "@$keydir/role.json" -o none
ROLE_ID="$(az role definition list --name "$ROLE_NAME" --query '[0].id' -o tsv)"
az rest --method put \
  --url "https://management.azure.com/subscriptions/$SUB/resourceGroups/$RG/providers/Microsoft.Authorization/roleEligibilityScheduleRequests/$(uuidgen)?api-version=2020-10-01" \
  --body "$(jq -n --arg p "$USER_ID" --arg r "$ROLE_ID" \
    '{properties: {principalId: $p, roleDefinitionId: $r, requestType: "AdminAssign", scheduleInfo: {expiration: {type: "AfterDuration", duration: "P30D"}}}}')" -o none

echo "Lab ready: $VM in $RG. In VS Code, sign in as $USER_UPN and run 'Azure JIT Connect: Check My Azure Setup'."
