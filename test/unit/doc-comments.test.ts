/**
 * Every exported class of core/ and integrations/ has a doc comment right above it (decorators
 * and `//` directive lines may sit between the two), saying what it is and how a user meets it.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import ts from "typescript";

const root = resolve(__dirname, "../..");

function files(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...files(path));
    else if (path.endsWith(".ts") && !path.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** Between the doc comment and the class (or its first decorator): one line break, `//` lines. */
const ADJACENT = /^[ \t]*\r?\n(?:[ \t]*\/\/[^\n]*\n)*[ \t]*$/;

/** The text of a `/** ... *\/` comment without its stars and `@tags`. */
function prose(comment: string): string {
  return comment
    .replace(/^\/\*\*|\*\/$/g, "")
    .split("\n")
    .map((line) => line.replace(/^\s*\*\s?/, ""))
    .filter((line) => !/^\s*@/.test(line))
    .join(" ")
    .trim();
}

/**
 * The exported classes of a file (`export class`, `export default class`, `export abstract
 * class`) without a doc comment right above, as "file: name".
 */
function undocumentedClasses(file: string, text = readFileSync(file, "utf8")): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const missing: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isClassDeclaration(statement)) continue;
    const exported = ts
      .getModifiers(statement)
      ?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (!exported) continue;
    const name = statement.name?.text ?? "default";
    const start = statement.getStart(source); // the first decorator, or `export`
    const comments = ts.getLeadingCommentRanges(text, statement.getFullStart()) ?? [];
    const doc = comments
      .filter((c) => c.kind === ts.SyntaxKind.MultiLineCommentTrivia && c.end <= start)
      .at(-1);
    const ok =
      doc !== undefined &&
      text.startsWith("/**", doc.pos) &&
      ADJACENT.test(text.slice(doc.end, start)) &&
      prose(text.slice(doc.pos, doc.end)).length > 0;
    if (!ok) missing.push(`${relative(root, file)}: ${name}`);
  }
  return missing;
}

describe("doc comments", () => {
  const sources = [...files(join(root, "core")), ...files(join(root, "integrations"))];

  it("finds the exported classes", () => {
    // a guard against a test that passes by finding nothing
    const classes = sources.filter((f) =>
      /^export (?:default |abstract )*class /m.test(readFileSync(f, "utf8")),
    );
    expect(classes.length).toBeGreaterThan(20);
  });

  it("has one right above every exported class of core/ and integrations/", () => {
    expect(sources.flatMap((file) => undocumentedClasses(file))).toEqual([]);
  });

  it("tells a documented class from one that is not", () => {
    const check = (code: string): boolean =>
      undocumentedClasses(join(root, "x.ts"), code).length === 0;
    expect(check("/** A thing. */\nexport class A {}")).toBe(true);
    expect(check("/** A thing. */\nexport default class {}")).toBe(true);
    expect(check("/** A thing. */\n@Injectable()\n@Module({\n  x: 1,\n})\nexport class A {}")).toBe(
      true,
    );
    expect(
      check("/** A thing. */\n// eslint-disable-next-line x\nexport abstract class A {}"),
    ).toBe(true);
    expect(check("class Hidden {}\nexport { Hidden };")).toBe(true);
    expect(check("export class A {}")).toBe(false);
    expect(check("/* not a doc comment */\nexport class A {}")).toBe(false);
    expect(check("// not a doc comment\nexport abstract class A {}")).toBe(false);
    expect(check("/** A thing. */\n\nexport class A {}")).toBe(false);
    expect(check("/** @internal */\nexport class A {}")).toBe(false);
    expect(check('/** Header. */\nimport x from "x";\nexport default class {}')).toBe(false);
  });
});
