import { readFileSync } from 'node:fs';

/**
 * Whether process `pid` has exited and only waits for its parent to reap it: state Z (zombie) or X
 * (dead) in /proc/<pid>/stat (Linux). Such a process still answers `kill(pid, 0)`, and where its
 * parent does not reap it at once (a container's init, a CI sandbox, a shell that `exec`ed another
 * program) it stays that way indefinitely, though it holds nothing any more. False when the OS does
 * not say (not Linux, or the process is gone altogether).
 */
export function isExitedUnreaped(pid: number): boolean {
  if (process.platform !== 'linux') return false;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // `pid (comm) state …`: comm may hold spaces and parentheses, so look after the last ')'.
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X';
}
