import assert from "node:assert/strict";
import { test } from "node:test";
import { isJitError } from "../../../src/core/errors";
import { BLOCK_END, BLOCK_START, findManagedBlock, removeManagedBlock, renderIncludeBlock, upsertIncludeBlock } from "../../../src/core/ssh/managedBlock";

const INCLUDE = "/home/alice/.ssh/azure-jit-connect/config";
const FILE = "/home/alice/.ssh/config";
const BLOCK = renderIncludeBlock(INCLUDE, "\n", "linux");

const upsert = (content: Buffer): Buffer => upsertIncludeBlock(content, INCLUDE, FILE, "linux");
const remove = (content: Buffer): Buffer => removeManagedBlock(content, FILE);
const bytes = (s: string | number[]): Buffer => (typeof s === "string" ? Buffer.from(s, "utf8") : Buffer.from(s));

/** User files whose every byte must survive an install followed by a removal. */
const USER_FILES: Record<string, Buffer> = {
  empty: bytes(""),
  simple: bytes("Host dev\n  HostName dev.example\n"),
  "no final newline": bytes("Host dev\n  User me"),
  crlf: bytes("Host dev\r\n  User me\r\n\r\n"),
  "utf-8 BOM": bytes([0xef, 0xbb, 0xbf, ...Buffer.from("Host dev\n  User me\n")]),
  "trailing whitespace and tabs": bytes("Host dev   \n\tUser me \t \n\n\n"),
  "invalid UTF-8": bytes([0x48, 0x6f, 0x73, 0x74, 0x20, 0xff, 0xfe, 0x0a, 0x20, 0x55, 0x73, 0x65, 0x72, 0x20, 0xc3, 0x0a]),
  "top-level settings and comments": bytes("# my config\nServerAliveInterval 10\nInclude ~/.ssh/work/*\n\nHost *\n  ForwardAgent no\n"),
  "only blank lines": bytes("\n\n"),
  "mixed endings": bytes("Host a\r\n  User x\nHost b\r  User y\n"),
};

test("install then remove gives back the user's file byte for byte", () => {
  for (const [name, original] of Object.entries(USER_FILES)) {
    const installed = upsert(original);
    assert.notDeepEqual(installed, original, name);
    assert.ok(installed.includes(Buffer.from(`Include "${INCLUDE}"`)), name);
    assert.deepEqual(remove(installed), original, name);
  }
});

test("the block is prepended, above every Host and Match line, after a BOM", () => {
  const simple = USER_FILES["simple"];
  assert.ok(simple);
  assert.equal(upsert(simple).toString("utf8"), BLOCK + simple.toString("utf8"));
  const bom = USER_FILES["utf-8 BOM"];
  assert.ok(bom);
  const out = upsert(bom);
  assert.deepEqual(out.subarray(0, 3), Buffer.from([0xef, 0xbb, 0xbf]));
  assert.equal(out.subarray(3).toString("utf8"), `${BLOCK}Host dev\n  User me\n`);
  assert.ok(findManagedBlock(out, FILE)?.beforeAnySection, "the block after a BOM is found again");
});

test("a CRLF file gets a CRLF block", () => {
  const crlf = USER_FILES["crlf"];
  assert.ok(crlf);
  assert.ok(upsert(crlf).toString("utf8").startsWith(renderIncludeBlock(INCLUDE, "\r\n", "linux")));
});

test("install is idempotent: the same bytes come back, even for a file without final newline", () => {
  for (const [name, original] of Object.entries(USER_FILES)) {
    const once = upsert(original);
    const twice = upsert(once);
    assert.equal(twice, once, `${name}: the very same buffer is returned when nothing changes`);
  }
});

test("an outdated block is replaced in place, keeping what surrounds it", () => {
  const old = bytes(`# mine\n${renderIncludeBlock("/old/place/config", "\n", "linux")}Host a\n  User x\n`);
  const out = upsert(old).toString("utf8");
  assert.equal(out, `# mine\n${BLOCK}Host a\n  User x\n`);
});

test("a block moved below a Host line is moved back to the top", () => {
  const moved = bytes(`Host a\n  User x\n${BLOCK}Host b\n  User y\n`);
  assert.equal(findManagedBlock(moved, FILE)?.beforeAnySection, false);
  assert.equal(upsert(moved).toString("utf8"), `${BLOCK}Host a\n  User x\nHost b\n  User y\n`);
  const match = bytes(`Match host x\n  User x\n${BLOCK}`);
  assert.equal(findManagedBlock(match, FILE)?.beforeAnySection, false);
  const hostEquals = bytes(`Host=x\n${BLOCK}`);
  assert.equal(findManagedBlock(hostEquals, FILE)?.beforeAnySection, false);
});

test("a user's own lines inside our markers are ours to replace (the markers say so)", () => {
  const edited = bytes(`${BLOCK_START}\nInclude "/somewhere/else"\nUser hacked\n${BLOCK_END}\nHost a\n`);
  assert.equal(upsert(edited).toString("utf8"), `${BLOCK}Host a\n`);
});

function assertConflict(content: string, line: number): void {
  for (const op of [upsert, remove]) {
    assert.throws(
      () => op(bytes(content)),
      (e: unknown) => isJitError(e) && e.code === "SshConfigConflict" && e.message.includes(FILE) && e.message.includes(`line ${line}`) && e.details["line"] === line,
      content,
    );
  }
}

test("damaged markers are a conflict naming the file and line", () => {
  assertConflict(`Host a\n${BLOCK_START}\nInclude x\n`, 2); // unterminated
  assertConflict(`Host a\n${BLOCK_END}\n`, 2); // END without START
  assertConflict(`${BLOCK_START}\n${BLOCK_START}\n${BLOCK_END}\n`, 2); // nested START
  assertConflict(`${BLOCK}\n# mine\n${BLOCK}`, 8); // two blocks
  assertConflict(`#--- start azure jit connect (edited)\n`, 1); // an edited marker still counts
});

test("removing from a file without our block returns it unchanged", () => {
  for (const original of Object.values(USER_FILES)) assert.equal(remove(original), original);
});

test("Include paths with glob characters or quotes are refused; spaces and % are written as is", () => {
  for (const bad of ["/home/a*/config", "/home/a?/config", "/home/[a]/config", '/home/"a"/config', "/home/a\nInclude /etc/x"]) {
    assert.throws(() => renderIncludeBlock(bad, "\n", "linux"), (e: unknown) => isJitError(e) && e.code === "SshConfigUnsafeValue", bad);
  }
  assert.ok(renderIncludeBlock("/home/my user/100%/config", "\n", "linux").includes('Include "/home/my user/100%/config"\n'));
  assert.ok(renderIncludeBlock("C:\\Users\\Al Ice\\.ssh\\azure-jit-connect\\config", "\r\n", "win32").includes('Include "C:/Users/Al Ice/.ssh/azure-jit-connect/config"\r\n'));
});
