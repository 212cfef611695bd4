import { open } from 'node:fs/promises';

/** Makes a rename or create inside `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  // Windows cannot open a folder as a file (EISDIR); its renames need no folder sync.
  if (process.platform === 'win32') return;
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
