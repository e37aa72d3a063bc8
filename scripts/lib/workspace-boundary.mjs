// ESLint rule: a relative import stays inside the file's own package, and a package import is one the file's
// package.json declares. Packages reach each other only by name
// (`@vj/shared`, `@vj/client`, …), so each package.json says what it depends on and the name-based rules in
// eslint.config.js see every crossing; `../../signaling/src/…` or, from the browser kit, `../../src/…` would
// slip past both. The package is the nearest folder with a package.json, so the browser kit (shared/client)
// is one package and the rest of shared/ another.
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

const roots = new Map();
const declared = new Map();
const BUILTINS = new Set(builtinModules);

/** The folder of the nearest package.json at or above `dir` (the repository's own for files outside a workspace). */
function packageRoot(dir) {
  if (!roots.has(dir)) {
    const parent = path.dirname(dir);
    roots.set(dir, fs.existsSync(path.join(dir, 'package.json')) || parent === dir ? dir : packageRoot(parent));
  }
  return roots.get(dir);
}

/** The packages `root`'s package.json names (its own name and every kind of dependency). */
function declaredBy(root) {
  if (!declared.has(root)) {
    const file = path.join(root, 'package.json');
    const pkg = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
    const names = new Set([pkg.name]);
    for (const kind of ['dependencies', 'peerDependencies', 'devDependencies', 'optionalDependencies'])
      for (const name of Object.keys(pkg[kind] ?? {})) names.add(name);
    declared.set(root, names);
  }
  return declared.get(root);
}

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
const packageOf = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

export const workspaceBoundary = {
  meta: {
    type: 'problem',
    docs: { description: "relative imports never leave the importing file's package" },
    schema: [],
    messages: {
      leaves: "'{{specifier}}' reaches into {{target}}: import another package by its name, never by a relative path",
      undeclared: "'{{name}}' is not in {{manifest}}: declare every package this package imports, so installs and the boundary rules see it",
    },
  },
  create(context) {
    const from = path.dirname(context.filename);
    const own = packageRoot(from);
    const check = (literal) => {
      const specifier = literal?.value;
      if (typeof specifier !== 'string') return;
      if (!specifier.startsWith('.')) {
        if (specifier.startsWith('node:') || BUILTINS.has(specifier)) return;
        const name = packageOf(specifier);
        if (!declaredBy(own).has(name))
          context.report({ node: literal, messageId: 'undeclared', data: { name, manifest: path.relative(context.cwd, path.join(own, 'package.json')) } });
        return;
      }
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
