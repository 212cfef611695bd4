import Docker from 'dockerode';

/** The offline base image tests derive from (built by .ci/base-image.sh). */
export const BASE_IMAGE = process.env.DEVRIG_BASE_IMAGE ?? 'devrig-test-base:bookworm';

export const docker = new Docker();

/** Real-Docker tests fail loudly when there is no engine or base image; they never skip. */
export async function requireDocker(): Promise<void> {
  try {
    await docker.ping();
  } catch (e) {
    throw new Error(
      `these tests need a Docker engine (DOCKER_HOST or /var/run/docker.sock): ${(e as Error).message}`,
    );
  }
  try {
    await docker.getImage(BASE_IMAGE).inspect();
  } catch {
    throw new Error(`these tests need the base image ${BASE_IMAGE}: run .ci/base-image.sh`);
  }
}

export async function inspect(id: string) {
  return docker.getContainer(id).inspect();
}

/** Containers carrying every given label. */
export async function containersWith(labels: Record<string, string>) {
  return docker.listContainers({
    all: true,
    filters: { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) },
  });
}
