/**
 * Every code example a user reads must compile: the ```ts blocks of README.md and the
 * `@example` blocks of the doc comments of the modules the package's entry points import
 * (what TypeDoc renders into docs/api/). Each
 * block becomes its own module at the repository root, where `'tensorgrad'` (and its subpaths)
 * resolve to src/ as the package's exports do to dist/, and relative imports such as
 * `./src/threads/index.js` work for examples of modules outside the package's entry points.
 * All blocks are type-checked together in one program, with the project's compiler options.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

interface Example {
  /** Where the block comes from, `file:line`. */
  origin: string;
  code: string;
}

/** ```ts / ```typescript fenced blocks of a markdown text, with the line each starts on. */
function fencedBlocks(text: string, firstLine: number): { line: number; code: string }[] {
  const out: { line: number; code: string }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*```(ts|typescript)\s*$/.test(lines[i]!)) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end]!)) end++;
    out.push({ line: firstLine + start, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return out;
}

function readmeExamples(): Example[] {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return fencedBlocks(text, 1).map((b) => ({ origin: `README.md:${b.line}`, code: b.code }));
}

/** The `@example` sections of the doc comments of one source file. */
function sourceExamples(file: string): Example[] {
  const text = readFileSync(file, 'utf8');
  const rel = relative(ROOT, file);
  const out: Example[] = [];
  for (const m of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const startLine = text.slice(0, m.index).split('\n').length;
    const body = m[0].split('\n').map((l) => l.replace(/^\s*\/?\*\*?\/?\s?/, '').replace(/\s*\*\/$/, ''));
    for (let i = 0; i < body.length; i++) {
      if (!/^@example\b/.test(body[i]!)) continue;
      let end = i + 1;
      while (end < body.length && !/^@\w+/.test(body[end]!)) end++;
      const section = body.slice(i + 1, end).join('\n');
      const fenced = fencedBlocks(section, startLine + i + 1);
      // TypeDoc renders an @example without a fence as one code block: check it as such.
      if (fenced.length === 0 && section.trim() !== '') out.push({ origin: `${rel}:${startLine + i + 1}`, code: section });
      for (const b of fenced) out.push({ origin: `${rel}:${b.line}`, code: b.code });
      i = end - 1;
    }
  }
  return out;
}

/** The package's entry points (the `exports` map's sources). */
const ENTRIES = ['src/index.ts', 'src/core.ts', 'src/threads/index.ts', 'src/testing.ts'];

/**
 * The source files the entry points import, directly or not: the modules whose doc comments
 * describe what users get. (The command line's internals, src/cli, are not among them.)
 */
function publicSourceFiles(): string[] {
  const seen = new Set<string>();
  const todo = ENTRIES.map((e) => join(ROOT, e));
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    // Relative `import … from` / `export … from` / `import '…'` (ts.preProcessFile misses `export * as`).
    for (const m of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^;]*?['"](\.{1,2}\/[^'"]+)\.js['"]/gm)) {
      const target = join(dirname(file), `${m[1]!}.ts`);
      if (existsSync(target)) todo.push(target);
    }
  }
  return [...seen].sort();
}

function compilerOptions(): ts.CompilerOptions {
  const configPath = join(ROOT, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const paths: Record<string, string[]> = {
    tensorgrad: ['./src/index.ts'],
    'tensorgrad/core': ['./src/core.ts'],
    'tensorgrad/threads': ['./src/threads/index.ts'],
    'tensorgrad/testing': ['./src/testing.ts'],
  };
  // An example shows a value it computes without reading it afterwards: that is not dead code.
  return { ...parsed.options, noEmit: true, baseUrl: undefined, paths, noUnusedLocals: false, noUnusedParameters: false };
}

/** Type-checks the examples; returns one message per error, naming the example's origin. */
function typeCheck(examples: Example[]): string[] {
  const options = compilerOptions();
  const virtual = new Map<string, Example>();
  examples.forEach((ex, i) => virtual.set(join(ROOT, `__doc_example_${i}.ts`), ex));
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => (virtual.has(f) ? `${virtual.get(f)!.code}\nexport {};\n` : readFile.call(host, f));
  host.getSourceFile = (f, lang, onError, create) => {
    const ex = virtual.get(f);
    if (ex === undefined) return getSourceFile.call(host, f, lang, onError, create);
    return ts.createSourceFile(f, `${ex.code}\nexport {};\n`, lang, true);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  const errors: string[] = [];
  for (const [file, ex] of virtual) {
    const sf = program.getSourceFile(file)!;
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      const line = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line;
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      errors.push(`${ex.origin} (example line ${line + 1}: ${ex.code.split('\n')[line]?.trim() ?? ''}): TS${d.code} ${text}`);
    }
  }
  return errors;
}

describe('documentation examples', () => {
  const readme = readmeExamples();
  const files = publicSourceFiles();
  const fromSource = files.flatMap(sourceExamples);

  it('finds the examples (README tour and the doc comments of the public modules)', () => {
    expect(files).toContain(join(ROOT, 'src', 'nn', 'mlp.ts'));
    expect(files.some((f) => f.includes(join('src', 'cli')))).toBe(false);
    expect(readme.length).toBeGreaterThanOrEqual(1);
    expect(fromSource.length).toBeGreaterThanOrEqual(40);
  });

  // One program for everything (building it is the slow part, ~8 s), with a control example
  // that must not compile, so a checker that reports nothing cannot pass.
  const control: Example = { origin: 'control', code: "import { tensor } from 'tensorgrad';\nconst n: string = tensor([1]).item();" };
  let errors: string[] = [];
  beforeAll(() => {
    errors = typeCheck([control, ...readme, ...fromSource]);
  }, 60_000);

  it('finds an error where there is one (the control example)', () => {
    const own = errors.filter((e) => e.startsWith('control '));
    expect(own).toHaveLength(1);
    expect(own[0]).toMatch(/^control \(example line 2: .*TS2322/);
  });

  it('every ```ts block of README.md and every @example of the public modules type-checks', () => {
    expect(errors.filter((e) => !e.startsWith('control '))).toEqual([]);
  });
});
