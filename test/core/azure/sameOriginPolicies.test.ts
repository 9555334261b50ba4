import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { armPolicies, sameArmPolicy, sameVaultPolicy } from "../../../src/core/azure/azureSdk";
import { BUILT_IN_CLOUDS } from "../../../src/core/cloud";

const AZURE_PUBLIC_CLOUD = BUILT_IN_CLOUDS.AzureCloud;
import type { JitError } from "../../../src/core/errors";

/** A vault client follows a list's nextLink as the server wrote it: only to its own vault's origin. */
describe("sameVaultPolicy", () => {
  const policy = sameVaultPolicy("https://kv-one.vault.azure.net");
  const sent: string[] = [];
  const next = async (request: { url: string }): Promise<PipelineResponse> => {
    sent.push(request.url);
    return { request: createPipelineRequest({ url: request.url }), status: 200, headers: createHttpHeaders() };
  };

  it("passes requests to the vault's own origin (default port written or not, any case)", async () => {
    for (const url of ["https://kv-one.vault.azure.net/secrets?api-version=7.5", "https://KV-ONE.vault.azure.net:443/secrets?$skiptoken=x&api-version=7.5"]) {
      await policy.sendRequest(createPipelineRequest({ url }), next);
    }
    assert.equal(sent.length, 2);
  });

  it("refuses another vault, another port or another host before anything is sent", async () => {
    sent.length = 0;
    for (const url of ["https://kv-two.vault.azure.net/secrets", "https://kv-one.vault.azure.net:8443/secrets", "https://attacker.example/secrets", "http://kv-one.vault.azure.net/secrets"]) {
      await assert.rejects(policy.sendRequest(createPipelineRequest({ url }), next), (e: JitError) => e.code === "VaultNotAllowed", url);
    }
    assert.deepEqual(sent, []);
  });
});

/** ARM lists are followed by `nextLink` as ARM wrote it: an ARM token goes only to the cloud's Resource Manager. */
describe("sameArmPolicy", () => {
  const sent: string[] = [];
  const next = async (request: { url: string }): Promise<PipelineResponse> => {
    sent.push(request.url);
    return { request: createPipelineRequest({ url: request.url }), status: 200, headers: createHttpHeaders() };
  };

  it("passes the cloud's Resource Manager (default port written or not, any case)", async () => {
    const policy = sameArmPolicy(AZURE_PUBLIC_CLOUD);
    for (const url of ["https://management.azure.com/subscriptions?api-version=2022-12-01", "https://MANAGEMENT.azure.com:443/subscriptions/s/providers/Microsoft.KeyVault/vaults?$skiptoken=x"]) {
      await policy.sendRequest(createPipelineRequest({ url }), next);
    }
    assert.equal(sent.length, 2);
  });

  it("refuses another host, another port or plain http before anything is sent", async () => {
    sent.length = 0;
    const policy = sameArmPolicy(AZURE_PUBLIC_CLOUD);
    for (const url of ["https://management.azure.com.attacker.example/subscriptions", "https://management.azure.com:8443/subscriptions", "http://management.azure.com/subscriptions", "https://graph.microsoft.com/v1.0/me"]) {
      await assert.rejects(policy.sendRequest(createPipelineRequest({ url }), next), (e: JitError) => e.code === "ArmHostNotAllowed" && e.message.includes("No token was sent"), url);
    }
    assert.deepEqual(sent, []);
  });

  it("a custom cloud's endpoint and port are what is allowed", async () => {
    sent.length = 0;
    const cloud = { ...AZURE_PUBLIC_CLOUD, resourceManagerEndpoint: "https://management.localhost:8443/" };
    const policy = sameArmPolicy(cloud);
    await policy.sendRequest(createPipelineRequest({ url: "https://management.localhost:8443/tenants" }), next);
    await assert.rejects(policy.sendRequest(createPipelineRequest({ url: "https://management.localhost:9443/tenants" }), next), (e: JitError) => e.code === "ArmHostNotAllowed");
    assert.equal(sent.length, 1);
  });

  it("is on every ARM client, ahead of the other policies (so ahead of the token policy's Sign phase)", () => {
    const policies = armPolicies({ cloud: AZURE_PUBLIC_CLOUD, credential: { getToken: async () => null } });
    assert.equal(policies[0]?.policy.name, "azureJitSameArm");
    assert.equal(policies[0]?.position, "perCall");
  });
});
