import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** tools/ serves the local runtime only: no Lambda function may import (and so bundle) it. */
it('nothing under functions/ imports tools/', async () => {
  const root = path.resolve(__dirname, '..', '..');
  const files = (await readdir(path.join(root, 'functions'), { recursive: true })).filter((f) =>
    /\.[cm]?[jt]s$/.test(f),
  );
  expect(files.length).toBeGreaterThan(0);
  const offenders: string[] = [];
  for (const file of files) {
    const source = await readFile(path.join(root, 'functions', file), 'utf8');
    if (/(from\s+|require\(|import\()\s*['"][^'"]*\btools\//.test(source)) offenders.push(file);
  }
  expect(offenders).toEqual([]);
});
