// ESLint rule: a relative import stays inside the file's own package. Packages reach each other only by name
// (`@vj/shared`, `@vj/client`, …), so each package.json says what it depends on and the name-based rules in
// eslint.config.js see every crossing; `../../signaling/src/…` or, from the browser kit, `../../src/…` would
// slip past both. The package is the nearest folder with a package.json, so the browser kit (shared/client)
// is one package and the rest of shared/ another.
import fs from 'node:fs';
import path from 'node:path';

const roots = new Map();

/** The folder of the nearest package.json at or above `dir` (the repository's own for files outside a workspace). */
function packageRoot(dir) {
  if (!roots.has(dir)) {
    const parent = path.dirname(dir);
    roots.set(dir, fs.existsSync(path.join(dir, 'package.json')) || parent === dir ? dir : packageRoot(parent));
  }
  return roots.get(dir);
}

export const workspaceBoundary = {
  meta: {
    type: 'problem',
    docs: { description: "relative imports never leave the importing file's package" },
    schema: [],
    messages: { leaves: "'{{specifier}}' reaches into {{target}}: import another package by its name, never by a relative path" },
  },
  create(context) {
    const from = path.dirname(context.filename);
    const own = packageRoot(from);
    const check = (literal) => {
      const specifier = literal?.value;
      if (typeof specifier !== 'string' || !specifier.startsWith('.')) return;
      const target = packageRoot(path.dirname(path.resolve(from, specifier)));
      if (target !== own)
        context.report({ node: literal, messageId: 'leaves', data: { specifier, target: path.relative(context.cwd, target) || 'the repository root' } });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      TSImportType: (node) => check(node.argument?.literal),
    };
  },
};
