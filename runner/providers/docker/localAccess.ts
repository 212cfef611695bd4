import { constants } from 'node:fs';
import { lstat, open, readFile, readlink, realpath } from 'node:fs/promises';
import { posix } from 'node:path';
import type Docker from 'dockerode';
import { EngineError, statusCode } from './errors';

/**
 * What the runner can see of a container from this machine, when the engine runs here: its main
 * process in this machine's /proc (its network tables), and the files of its bind mounts. Reading
 * them starts nothing in the container and asks the engine for one inspect, where an exec or an
 * archive call would make the engine start a process.
 */
interface Inspected {
  id: string;
  pid: number;
  mounts: { source: string; destination: string }[];
}

async function inspectRunning(docker: Docker, id: string): Promise<Inspected | undefined> {
  try {
    const i = await docker.getContainer(id).inspect();
    if (!i.State.Running || !i.State.Pid) return undefined;
    const mounts = (i.Mounts ?? []).flatMap((m) =>
      m.Type === 'bind' && m.Source && m.Destination
        ? [{ source: m.Source, destination: m.Destination }]
        : [],
    );
    return { id: i.Id, pid: i.State.Pid, mounts };
  } catch (e) {
    if (statusCode(e) === 404) return undefined;
    throw new EngineError(`inspecting container ${id.slice(0, 12)}`, e);
  }
}

/**
 * Whether pid is the container's process here: it exists and is in the container's cgroup. An
 * engine in a VM (Docker Desktop) or on another machine reports pids of another kernel.
 */
async function visibleHere(c: Inspected): Promise<boolean> {
  try {
    return (await readFile(`/proc/${c.pid}/cgroup`, 'utf8')).includes(c.id);
  } catch {
    return false;
  }
}

/** `/proc/<pid>` of the container's main process when this machine sees it; false when it cannot; undefined while it does not run. */
export async function localProcessOf(docker: Docker, id: string): Promise<string | false | undefined> {
  const c = await inspectRunning(docker, id);
  if (!c) return undefined;
  return (await visibleHere(c)) ? `/proc/${c.pid}` : false;
}

const MAX_FILE_BYTES = 1024 * 1024;

/**
 * A small file of a running container read through a bind mount of a folder on this machine: its
 * text, undefined when it does not exist. `false` when that cannot be said from here (not in a bind
 * mount, the engine elsewhere, not Linux, or the path leads out of the mount through a symlink,
 * which inside the container would lead somewhere else): read it through the engine then.
 */
export async function readMountedFile(
  docker: Docker,
  id: string,
  path: string,
): Promise<string | undefined | false> {
  if (process.platform !== 'linux' || !posix.isAbsolute(path)) return false;
  const c = await inspectRunning(docker, id);
  if (!c || !(await visibleHere(c))) return false;
  const target = posix.normalize(path);
  const mount = c.mounts
    .filter((m) => target === m.destination || target.startsWith(`${m.destination.replace(/\/$/, '')}/`))
    .sort((a, b) => b.destination.length - a.destination.length)[0];
  if (!mount) return false;
  let root: string;
  try {
    root = await realpath(mount.source);
  } catch {
    return false;
  }
  const rest = target.slice(mount.destination.replace(/\/$/, '').length).replace(/^\/+/, '');
  const hostPath = posix.join(mount.source, rest);
  let fh;
  try {
    fh = await open(hostPath, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return false;
    // Missing here, and no symlink on the way that would lead elsewhere inside the container.
    return (await symlinkOnTheWay(mount.source, rest)) ? false : undefined;
  }
  try {
    // Where the open really led (symlinks resolved by this machine): it must be inside the mount.
    const real = await readlink(`/proc/self/fd/${fh.fd}`);
    if (real !== root && !real.startsWith(`${root.replace(/\/$/, '')}/`)) return false;
    const st = await fh.stat();
    if (!st.isFile() || st.size > MAX_FILE_BYTES) return false;
    return await fh.readFile('utf8');
  } catch {
    return false;
  } finally {
    await fh.close();
  }
}

async function symlinkOnTheWay(source: string, rest: string): Promise<boolean> {
  let p = source;
  for (const part of rest.split('/').filter(Boolean)) {
    p = posix.join(p, part);
    try {
      if ((await lstat(p)).isSymbolicLink()) return true;
    } catch {
      return false;
    }
  }
  return false;
}
