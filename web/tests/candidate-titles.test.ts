import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..");
// Every page a candidate (or someone invited to become one) reads.
const CANDIDATE_PAGES = ["src/app/interview", "src/app/join", "src/app/apply", "src/app/(app)/candidate"];
// A title that reads the same in German needs no translation.
const SAME_IN_GERMAN = new Set(["Interview"]);

function sources(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (!fs.existsSync(full)) return [];
  if (fs.statSync(full).isFile()) return [full];
  return fs.readdirSync(full, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(entry, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(full, e.name)] : [],
  );
}

/** The string titles of a file's exported `metadata`: a server layout's, so always English. */
function metadataTitles(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const titles: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isVariableDeclaration(node) && node.name.getText(source) === "metadata" && node.initializer && ts.isObjectLiteralExpression(node.initializer)) {
      for (const property of node.initializer.properties) {
        if (ts.isPropertyAssignment(property) && property.name.getText(source) === "title" && ts.isStringLiteral(property.initializer)) {
          titles.push(property.initializer.text);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return titles.filter((t) => !SAME_IN_GERMAN.has(t)).map((t) => `${path.relative(ROOT, file)}: ${t}`);
}

describe("the candidate's tab titles", () => {
  it("are never fixed in English by a layout: the page names the tab in its own language", () => {
    const files = CANDIDATE_PAGES.flatMap(sources);
    expect(files.some((f) => f.endsWith(path.join("join", "layout.tsx")))).toBe(true);
    expect(files.flatMap(metadataTitles)).toEqual([]);
  });
});
