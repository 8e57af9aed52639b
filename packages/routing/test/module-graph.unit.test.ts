// The engine's modules form layers: no import cycle, type-only imports included, so each module reads on its own.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const sourceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** Every `import … from`, `export … from`, side-effect `import '…'` and `import('…')`, multi-line ones included. */
const importPattern = /\b(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Source file (relative to src) → the source files it imports. */
function moduleGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    const imports = [...text.matchAll(importPattern)]
      .map((match) => match[1] ?? match[2]!)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => relative(root, resolve(root, dirname(file), specifier)));
    graph.set(file, imports);
  }
  return graph;
}

/** One cycle as a path that starts and ends at the same module, or undefined when the graph is acyclic. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const visit = (module: string): string[] | undefined => {
    if (onPath.has(module)) return [...path.slice(path.indexOf(module)), module];
    if (done.has(module)) return undefined;
    path.push(module);
    onPath.add(module);
    for (const imported of graph.get(module) ?? []) {
      const cycle = visit(imported);
      if (cycle) return cycle;
    }
    path.pop();
    onPath.delete(module);
    done.add(module);
    return undefined;
  };
  for (const module of [...graph.keys()].sort()) {
    const cycle = visit(module);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('module graph of packages/routing/src', () => {
  const graph = moduleGraph(sourceRoot);

  it('reads every import, type-only and multi-line ones included', () => {
    expect(graph.size).toBeGreaterThan(30);
    expect(graph.get('decide.ts')).toContain('decision.ts');
    expect(graph.get('state.ts'), 'import type').toContain('waiting-line.ts');
    expect(graph.get('index.ts'), 'export … from').toContain('snapshot.ts');
    expect(graph.get('strategies/queue/queue-strategies.ts')).toContain('strategies/queue/top-down.ts');
    for (const [module, imports] of graph) {
      for (const imported of imports) expect(graph.has(imported), `${module} imports ${imported}`).toBe(true);
    }
  });

  it('has no import cycle', () => {
    expect(findCycle(graph)?.join(' → ')).toBeUndefined();
  });

  it('the cycle finder finds a cycle when there is one', () => {
    const cyclic = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts', 'd.ts']], ['d.ts', []]]);
    expect(findCycle(cyclic)).toEqual(['a.ts', 'b.ts', 'c.ts', 'a.ts']);
    expect(findCycle(new Map([...graph, ['state.ts', [...graph.get('state.ts')!, 'decide.ts']]]))).toBeDefined();
  });
});
