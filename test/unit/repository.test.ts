/**
 * The repository a newcomer clones: a license matching package.json, packed tarballs ignored,
 * and documentation that points only at files inside the repository, which exist.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const root = resolve(__dirname, "../..");
const read = (file: string) => readFileSync(join(root, file), "utf8");

it("has a LICENSE matching package.json", () => {
  const { license } = JSON.parse(read("package.json")) as { license: string };
  expect(license).toBe("MIT");
  expect(read("LICENSE")).toMatch(/^MIT License\n/);
});

it("ignores packed tarballs", () => {
  expect(read(".gitignore").split("\n")).toContain("*.tgz");
});

it.each(["README.md", "CONTRIBUTING.md", "docs/architecture.md"])(
  "%s points only at files of the repository that exist",
  (file) => {
    const text = read(file);
    expect(text).not.toMatch(/\.\.\/shared|\/work\//);
    // relative links (from the file's folder), and `file.md` mentions (from the root)
    const links = [...text.matchAll(/\]\((?!https?:|#)([^)]+)\)/g)].map((m) =>
      resolve(dirname(join(root, file)), m[1]!),
    );
    const mentions = [...text.matchAll(/`((?:docs\/)?[A-Za-z-]+\.md)`/g)].map((m) =>
      join(root, m[1]!),
    );
    for (const path of [...links, ...mentions]) {
      expect(path.startsWith(root)).toBe(true);
      expect(existsSync(path)).toBe(true);
    }
  },
);
