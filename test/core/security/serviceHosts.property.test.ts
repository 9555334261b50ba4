/**
 * Where tokens may go (issue 12, item 1): a Key Vault token only to a vault host of the cloud (one
 * label + the Key Vault suffix, on an allowed port), an ARM token to a Bastion only when its dnsName
 * is under the cloud's Bastion suffix on an allowed port. Property-based over hostile URIs.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { BUILT_IN_CLOUDS, isCloudBastionHost, isCloudVaultHost, resolveCloud, type CloudEnvironment } from "../../../src/core/cloud";
import { parseSecretUri } from "../../../src/core/credential/secretUri";
import { isJitError } from "../../../src/core/errors";
import { trustedBastionEndpoint } from "../../../src/core/service/trustedBastion";

const RUNS = { numRuns: 400 };
const ORIGIN = { vmName: "vm", field: 'tag "azure-jit-connect.secret"' };

/** The simulator's cloud as it prints it: vaults on one port, Bastions on their own ports of localhost. */
const SIM = resolveCloud("Custom", {
  authorityHost: "https://localhost:8440",
  resourceManagerEndpoint: "https://localhost:8441",
  keyVaultAudience: "https://vault.localhost",
  keyVaultDnsSuffix: ".vault.localhost",
  keyVaultPorts: [8450],
  bastionDnsSuffix: "localhost",
  bastionPorts: [8470, 8471],
});
const CLOUDS: CloudEnvironment[] = [BUILT_IN_CLOUDS.AzureCloud, BUILT_IN_CLOUDS.AzureChinaCloud, SIM];

const label = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/);
const nasty = fc.constantFrom(
  "", ".", "..", "@", ":", "%2e", "%40", "\u0000", "\r\n", "\u202e", "\u3002", "\uff0e", "ｖａｕｌｔ", "xn--", "K", "VAULT", "localhost", "127.0.0.1",
  "[::1]", "vault.azure.net", "vault.azure.net.", "bastion.azure.com", "evil.example", "#", "?", "\\", "/", " ", "\t",
);
const hostPart = fc.oneof(label, nasty, fc.string({ maxLength: 8 }), fc.string({ unit: "binary", maxLength: 4 }));
const host = fc.array(hostPart, { minLength: 1, maxLength: 5 }).map((parts) => parts.join("."));
const port = fc.oneof(fc.constant(""), fc.constantFrom(":443", ":8443", ":8450", ":8470", ":8441", ":0", ":65536", ":", ":08450"), fc.integer({ min: 0, max: 70000 }).map((p) => `:${p}`));
const userinfo = fc.oneof(fc.constant(""), fc.constantFrom("user@", "user:pw@", ":@", "kv.vault.azure.net@", "@"));
const scheme = fc.constantFrom("https://", "http://", "HTTPS://", "https:/", "wss://", "https:\\\\", "");
const suffix = fc.constantFrom("", ".vault.azure.net", ".vault.azure.cn", ".vault.localhost", ".VAULT.AZURE.NET", ".vault.azure.net.", ".vault.azure.net.evil.example");
const hostileUri = fc.tuple(scheme, userinfo, host, suffix, port, fc.constantFrom("/secrets/k", "/secrets/k/0123456789abcdef0123456789abcdef", "/secrets/k?x=1", "/keys/k")).map(
  ([s, u, h, x, p, path]) => `${s}${u}${h}${x}${p}${path}`,
);

function vaultInvariant(cloud: CloudEnvironment, accepted: URL): void {
  assert.equal(accepted.protocol, "https:");
  assert.equal(accepted.username + accepted.password, "");
  const portNumber = accepted.port === "" ? 443 : Number(accepted.port);
  assert.ok(cloud.keyVaultPorts.includes(portNumber), `port ${portNumber}`);
  const suffixText = cloud.keyVaultDnsSuffix.replace(/^\.?/, ".").toLowerCase();
  assert.ok(accepted.hostname.endsWith(suffixText), accepted.hostname);
  assert.match(accepted.hostname.slice(0, -suffixText.length), /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "exactly one DNS label before the suffix");
}

test("property: an accepted secret URI always names a vault host and port of the cloud", () => {
  fc.assert(
    fc.property(fc.constantFrom(...CLOUDS), hostileUri, (cloud, text) => {
      let location;
      try {
        location = parseSecretUri(text, ORIGIN, cloud);
      } catch (e) {
        assert.ok(isJitError(e) && (e.code === "InvalidInput" || e.code === "VaultNotAllowed"), String(e));
        return;
      }
      vaultInvariant(cloud, new URL(location.vaultUrl));
      assert.equal(new URL(location.uri.href).host, new URL(location.vaultUrl).host);
    }),
    RUNS,
  );
});

test("property: well-formed vault URIs of the cloud are accepted, whatever the case of the host", () => {
  fc.assert(
    fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{1,22}[a-z0-9]$/), fc.boolean(), (name, upper) => {
      const host = `${name}.vault.azure.net`;
      const location = parseSecretUri(`https://${upper ? host.toUpperCase() : host}/secrets/k`, ORIGIN, BUILT_IN_CLOUDS.AzureCloud);
      assert.equal(location.vaultUrl, `https://${host}`);
    }),
    RUNS,
  );
});

test("the finding: on the simulator's cloud, a vault URI on another local port (or plain localhost) gets no token", () => {
  for (const uri of ["https://localhost:8441/secrets/x", "https://localhost:8450/secrets/x", "https://kv.vault.localhost:8441/secrets/x", "https://kv.vault.localhost/secrets/x", "https://vault.localhost:8450/secrets/x", "https://a.b.vault.localhost:8450/secrets/x"]) {
    assert.throws(() => parseSecretUri(uri, ORIGIN, SIM), (e: unknown) => isJitError(e) && e.code === "VaultNotAllowed", uri);
  }
  assert.equal(parseSecretUri("https://kv.vault.localhost:8450/secrets/x", ORIGIN, SIM).vaultUrl, "https://kv.vault.localhost:8450");
  // The setting as the simulator printed it before (a suffix without a dot) no longer admits bare localhost.
  const old = resolveCloud("Custom", { authorityHost: "https://localhost:1", resourceManagerEndpoint: "https://localhost:2", keyVaultAudience: "https://vault.azure.net", keyVaultDnsSuffix: "localhost" });
  assert.equal(isCloudVaultHost(old, new URL("https://localhost:8441")), false);
  assert.equal(isCloudVaultHost(BUILT_IN_CLOUDS.AzureCloud, new URL("https://kv.vault.azure.net:8443")), false, "default port only");
});

test("property: a Bastion dnsName gets a token only under the cloud's Bastion suffix, on an allowed port", () => {
  const bastionSuffix = fc.constantFrom("", ".bastion.azure.com", ".bastionglobal.azure.com", ".bastion.azure.com.", ".bastion.azure.com.evil.example", "localhost", ".localhost", "");
  const dnsName = fc.tuple(fc.oneof(fc.constant(""), scheme), userinfo, host, bastionSuffix, port).map(([s, u, h, x, p]) => `${s}${u}${h}${x}${p}`);
  fc.assert(
    fc.property(fc.constantFrom(BUILT_IN_CLOUDS.AzureCloud, SIM), dnsName, (cloud, name) => {
      let endpoint: string;
      try {
        endpoint = trustedBastionEndpoint(cloud, name, "bh");
      } catch (e) {
        assert.ok(isJitError(e) && e.code === "BastionNotAllowed", String(e));
        return;
      }
      const url = new URL(endpoint);
      assert.ok(isCloudBastionHost(cloud, url));
      assert.equal(url.protocol, "https:");
      assert.ok(cloud.bastionPorts.includes(url.port === "" ? 443 : Number(url.port)));
      assert.ok(cloud.bastionDnsSuffixes.some((s) => url.hostname === s || url.hostname.endsWith(`.${s}`)), url.hostname);
    }),
    RUNS,
  );
});

test("Bastion hosts: the shapes Azure reports are accepted; look-alikes, other ports and user info are not", () => {
  const azure = BUILT_IN_CLOUDS.AzureCloud;
  assert.equal(trustedBastionEndpoint(azure, "bst-9d89d361-100e-4c01-b92d-466548c476dc.bastion.azure.com", "bh"), "https://bst-9d89d361-100e-4c01-b92d-466548c476dc.bastion.azure.com");
  assert.equal(trustedBastionEndpoint(azure, "omnibrain.uswest.bastionglobal.azure.com", "bh"), "https://omnibrain.uswest.bastionglobal.azure.com");
  assert.equal(trustedBastionEndpoint(SIM, "localhost:8471", "bh"), "https://localhost:8471");
  for (const bad of ["bst-1.bastion.azure.com.evil.example", "evilbastion.azure.com", "bst-1.bastion.azure.com:8443", "user@bst-1.bastion.azure.com", "http://bst-1.bastion.azure.com", "bst-1.bastion.azure.com.", "bst_1.bastion.azure.com"]) {
    assert.throws(() => trustedBastionEndpoint(azure, bad, "bh"), (e: unknown) => isJitError(e) && e.code === "BastionNotAllowed", bad);
  }
  for (const bad of ["localhost:8441", "127.0.0.1:8470", "localhost", "kv.vault.localhost:8450"]) {
    assert.throws(() => trustedBastionEndpoint(SIM, bad, "bh"), (e: unknown) => isJitError(e) && e.code === "BastionNotAllowed", bad);
  }
  const noBastions = resolveCloud("Custom", { authorityHost: "https://l.example", resourceManagerEndpoint: "https://arm.example", keyVaultAudience: "https://vault.example", keyVaultDnsSuffix: ".vault.example" });
  assert.throws(() => trustedBastionEndpoint(noBastions, "bh.bastion.example", "bh"), (e: unknown) => isJitError(e) && e.code === "BastionNotAllowed" && /bastionDnsSuffix/.test(e.message));
});
