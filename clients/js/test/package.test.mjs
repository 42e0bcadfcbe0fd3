import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';

// package.json is ready to publish: public, typed, and its `files` carry every module the entry point imports
// (a module left out would install fine and fail at the first import).

const here = (path) => new URL(`../${path}`, import.meta.url);
const pkg = JSON.parse(readFileSync(here('package.json'), 'utf8'));

/** The entry module and every module it imports by relative path, transitively. */
function modulesReachedFrom(entry) {
  const reached = new Set();
  const visit = (file) => {
    if (reached.has(file)) return;
    reached.add(file);
    const source = readFileSync(here(file), 'utf8');
    for (const [, path] of source.matchAll(/^(?:import|export)\s[^;]*?from\s+'\.\/([^']+)'/gm)) visit(path);
  };
  visit(entry);
  return reached;
}

describe('package.json', () => {
  it('is publishable: not private, named, versioned, licensed, with repository and keywords', () => {
    assert.notEqual(pkg.private, true);
    assert.match(pkg.name, /^@parley\/client$/);
    assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
    assert.ok(pkg.license && pkg.repository?.url && pkg.keywords?.length);
  });

  it('points main, exports and types at files that exist', () => {
    for (const path of [pkg.main, pkg.types, pkg.exports['.'].default, pkg.exports['.'].types]) {
      assert.ok(existsSync(here(path)), `${path} is missing`);
    }
  });

  it('ships every module the entry point imports, and the types', () => {
    const entry = pkg.main.replace(/^\.\//, '');
    const reached = modulesReachedFrom(entry);
    assert.ok(reached.size >= 4, [...reached].join(', ')); // the reader found the imports
    for (const module of [...reached, pkg.types.replace(/^\.\//, '')]) {
      assert.ok(pkg.files.includes(module), `${module} is not in package.json files`);
    }
  });
});
