/**
 * Issue 12, item 1: a server posing as a vault cannot choose the token's audience. It answers the
 * first request with a 401 challenge naming the ARM audience; the product's Key Vault client must
 * not ask for (let alone send) an ARM token. Old code disabled challenge verification for custom
 * clouds and took the scope from the challenge: this server received an ARM bearer token.
 */
import assert from "node:assert/strict";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { loadAzureSdk } from "../../../src/core/azure/sdkLoader";
import { resolveCloud } from "../../../src/core/cloud";
import { isJitError } from "../../../src/core/errors";
import { ensureCa, issueServerCertificate } from "../../../simulator/src/tls/ca";

let server: https.Server;
let port = 0;
const authorizations: string[] = [];
let challengeResource = "";

before(async () => {
  const tls = await issueServerCertificate(await ensureCa(), ["localhost", "*.vault.localhost"]);
  server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    if (req.headers.authorization) authorizations.push(req.headers.authorization);
    res.statusCode = 401;
    res.setHeader("WWW-Authenticate", `Bearer authorization="https://localhost/tenant", resource="${challengeResource}"`);
    res.end(JSON.stringify({ error: { code: "Unauthorized", message: "challenge" } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function countingCredential(asked: string[]): TokenCredential {
  return {
    async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
      asked.push(...(typeof scopes === "string" ? [scopes] : scopes));
      return { token: "eyJhbGciOiJub25lIn0.eyJhdWQiOiJhcm0ifQ.sig", expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
}

test("a vault challenge naming another audience gets no token (ARM, or a resource on another domain)", async () => {
  const sdk = await loadAzureSdk();
  const cloud = resolveCloud("Custom", {
    authorityHost: "https://localhost:1",
    resourceManagerEndpoint: `https://localhost:${port + 1}`,
    keyVaultAudience: "https://vault.localhost",
    keyVaultDnsSuffix: ".vault.localhost",
    keyVaultPorts: [port],
  });
  for (const resource of [cloud.resourceManagerAudience, "https://localhost", "https://management.azure.com", "https://evil.example"]) {
    challengeResource = resource;
    const asked: string[] = [];
    const client = sdk.createSecretClient({ cloud, credential: countingCredential(asked) }, `https://kv.vault.localhost:${port}`);
    await assert.rejects(client.getSecret("x"), (e: unknown) => (isJitError(e) && e.code === "VaultNotAllowed") || /challenge resource/.test(String(e)), resource);
    assert.deepEqual(asked, [], `no token was asked for ${resource}`);
  }
  assert.deepEqual(authorizations, [], "the server never saw a bearer token");
});

test("the vault's own challenge resource gets a token for the cloud's Key Vault audience only", async () => {
  const sdk = await loadAzureSdk();
  const cloud = resolveCloud("Custom", { authorityHost: "https://localhost:1", resourceManagerEndpoint: "https://localhost:2", keyVaultAudience: "https://vault.localhost", keyVaultDnsSuffix: ".vault.localhost", keyVaultPorts: [port] });
  challengeResource = "https://vault.localhost";
  const asked: string[] = [];
  const client = sdk.createSecretClient({ cloud, credential: countingCredential(asked) }, `https://kv.vault.localhost:${port}`);
  await assert.rejects(client.getSecret("x"));
  assert.ok(asked.length > 0 && asked.every((s) => s === "https://vault.localhost/.default"), asked.join(","));
});
