export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Matches an element whose whole text is `text`, ignoring surrounding blanks (codicons render as empty spans). */
export function exactText(text: string, flags = ""): RegExp {
  return new RegExp(`^\\s*${escapeRegExp(text)}\\s*$`, flags);
}

/** A string matches as a substring; a RegExp as itself. */
export type TextMatch = string | RegExp;

export function matches(actual: string, expected: TextMatch): boolean {
  return typeof expected === "string" ? actual.includes(expected) : expected.test(actual);
}

/**
 * The slice of the DOM `Element` that page functions use. The project compiles without the DOM lib
 * (it is Node code), so Playwright's `Element` resolves to an untyped value; annotating page-function
 * parameters with this keeps them type-checked without adding DOM globals to the whole project.
 */
export interface DomElement {
  readonly textContent: string | null;
  readonly className: string;
  readonly classList: { contains(token: string): boolean };
  getAttribute(name: string): string | null;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): Iterable<DomElement>;
  matches(selector: string): boolean;
}
