import { JitError } from "../errors";
import { quoteConfigPath } from "./configValues";

/**
 * The one block we own in the user's SSH config: an `Include` of our own file between two marker
 * lines. These functions are pure and work on bytes: every byte outside the block is kept as it
 * was (line endings, a BOM, trailing spaces, a missing final newline, even invalid UTF-8), because
 * the user's config is theirs and we never re-serialise it.
 *
 * Why the block is prepended, above every `Host` and `Match` line: ssh uses the first value it
 * obtains for each setting, so our hosts' settings must be read before any `Host *` the user has;
 * and an `Include` placed inside a `Host` or `Match` block is conditional, applying only when that
 * block matches the host being connected to, so at the end of the file it would usually not apply.
 */

export const BLOCK_START = "# --- START AZURE JIT CONNECT: managed by the Azure JIT Connect extension, do not edit ---";
export const BLOCK_END = "# --- END AZURE JIT CONNECT ---";
const BLOCK_COMMENT = [
  "# Keep this block above every Host and Match line: ssh keeps the first value it reads for each",
  "# setting, and an Include inside a Host or Match block applies only when that block matches.",
];

/** A marker line, even if someone edited its wording or spacing, so we never add a second block. */
const MARKER = /^\s*#+[\s-]*(START|END)\s+AZURE\s+JIT\s+CONNECT\b/i;
/** A line that opens a conditional section (`Host x`, `Match …`, also written `Host=x`). */
const SECTION = /^\s*(host|match)(\s|=)/i;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

interface Line {
  /** 1-based line number. */
  number: number;
  /** Byte offset of the line's first byte. */
  start: number;
  /** Byte offset just after the line's end of line (or the end of the content). */
  end: number;
  /** The line's bytes as latin1 text (one character per byte), without its end of line. */
  text: string;
}

function splitLines(content: Buffer): Line[] {
  const text = content.toString("latin1");
  const lines: Line[] = [];
  // A BOM is not part of the first line's text (it would hide a marker there).
  let start = hasBom(content) ? BOM.length : 0;
  let number = 1;
  while (start < text.length) {
    const nl = text.indexOf("\n", start);
    const end = nl === -1 ? text.length : nl + 1;
    lines.push({ number, start, end, text: text.slice(start, nl === -1 ? end : nl).replace(/\r$/, "") });
    start = end;
    number++;
  }
  return lines;
}

/** Where our block sits in a file. */
export interface ManagedBlockLocation {
  /** Byte offsets: the START line's first byte and just after the END line's end of line. */
  start: number;
  end: number;
  startLine: number;
  endLine: number;
  /** False when a Host or Match line comes before the block, making the Include conditional. */
  beforeAnySection: boolean;
}

function conflict(file: string, line: number, problem: string): JitError {
  return new JitError(
    "SshConfigConflict",
    `${file}, line ${line}: ${problem}. Remove the AZURE JIT CONNECT marker lines and everything between them from ${file}, then let Azure JIT Connect write its block again.`,
    { details: { file, line } },
  );
}

/**
 * Finds our block. Throws `SshConfigConflict` naming the file and line for a second START, an END
 * without START, a START never closed, or a second block: editing around a damaged block could
 * delete the user's own lines.
 */
export function findManagedBlock(content: Buffer, file: string): ManagedBlockLocation | undefined {
  let open: Line | undefined;
  let found: ManagedBlockLocation | undefined;
  let sectionSeen = false;
  let sectionBeforeOpen = false;
  for (const line of splitLines(content)) {
    const marker = MARKER.exec(line.text)?.[1]?.toUpperCase();
    if (marker === "START") {
      if (open) throw conflict(file, line.number, `a second "START AZURE JIT CONNECT" marker (the first is on line ${open.number})`);
      if (found) throw conflict(file, line.number, `a second AZURE JIT CONNECT block (the first starts on line ${found.startLine})`);
      open = line;
      sectionBeforeOpen = sectionSeen;
    } else if (marker === "END") {
      if (!open) throw conflict(file, line.number, `an "END AZURE JIT CONNECT" marker without a START marker before it`);
      found = { start: open.start, end: line.end, startLine: open.number, endLine: line.number, beforeAnySection: !sectionBeforeOpen };
      open = undefined;
    } else if (!open && SECTION.test(line.text)) {
      sectionSeen = true;
    }
  }
  if (open) throw conflict(file, open.number, `a "START AZURE JIT CONNECT" marker without an END marker after it`);
  return found;
}

/** The file's line ending, judged from its first line (CRLF files stay CRLF). */
function detectEol(content: Buffer): string {
  const nl = content.indexOf(0x0a);
  return nl > 0 && content[nl - 1] === 0x0d ? "\r\n" : "\n";
}

/** The block's text for an Include of `includeFile`, with the given line ending. */
export function renderIncludeBlock(includeFile: string, eol = "\n", platform: NodeJS.Platform = process.platform): string {
  const lines = [BLOCK_START, ...BLOCK_COMMENT, `Include ${quoteConfigPath(includeFile, "Include", platform)}`, BLOCK_END];
  return lines.map((l) => l + eol).join("");
}

function withoutBlock(content: Buffer, block: ManagedBlockLocation): Buffer {
  return Buffer.concat([content.subarray(0, block.start), content.subarray(block.end)]);
}

function hasBom(content: Buffer): boolean {
  return content.subarray(0, 3).equals(BOM);
}

/**
 * Returns the content with our block present, up to date and above every Host/Match line. Returns
 * the very same bytes when nothing needs to change (idempotent). A block that the user moved below
 * a Host or Match line is moved back to the top.
 */
export function upsertIncludeBlock(content: Buffer, includeFile: string, file: string, platform: NodeJS.Platform = process.platform): Buffer {
  const existing = findManagedBlock(content, file);
  const rest = existing ? withoutBlock(content, existing) : content;
  const block = Buffer.from(renderIncludeBlock(includeFile, detectEol(rest.length > 0 ? rest : content), platform), "utf8");
  if (existing && existing.beforeAnySection) {
    if (content.subarray(existing.start, existing.end).equals(block)) return content;
    return Buffer.concat([content.subarray(0, existing.start), block, content.subarray(existing.end)]);
  }
  // A BOM must stay the first bytes of the file.
  const head = hasBom(rest) ? 3 : 0;
  return Buffer.concat([rest.subarray(0, head), block, rest.subarray(head)]);
}

/** Returns the content without our block (the same bytes when there is none). */
export function removeManagedBlock(content: Buffer, file: string): Buffer {
  const existing = findManagedBlock(content, file);
  return existing ? withoutBlock(content, existing) : content;
}
