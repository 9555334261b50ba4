import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { sameVaultPolicy } from "../../../src/core/azure/azureSdk";
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
