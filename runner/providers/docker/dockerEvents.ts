import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { LABELS, type ContainerEvent } from '../provider';
import { lines } from '../../util/lines';

/** Container events that can change what a reconcile decides. */
const STATE_EVENTS = 'create start restart stop die kill oom pause unpause destroy rename update'.split(' ');

/**
 * Follows the engine's events for devrig's containers, reconnecting with backoff; `onReconnect` after
 * each (re)connection, since events may have been missed meanwhile.
 */
export function watchDockerEvents(
  docker: Docker,
  onEvent: (e: ContainerEvent) => void,
  onReconnect: () => void,
): { close(): void } {
  let closed = false;
  let current: Readable | undefined;
  let delay = 250;
  const connect = async () => {
    if (closed) return;
    try {
      const stream = (await docker.getEvents({
        filters: {
          type: ['container'],
          label: [`${LABELS.managed}=true`],
          // State changes only: execs and archive reads (ports, automations) would each queue a
          // reconcile that reads again, without end.
          event: STATE_EVENTS,
        },
      })) as unknown as Readable;
      current = stream;
      delay = 250;
      onReconnect();
      lines(stream, (line) => {
        if (!line.trim()) return;
        try {
          const ev = JSON.parse(line) as {
            Action?: string;
            status?: string;
            id?: string;
            Actor?: { ID?: string; Attributes?: Record<string, string> };
          };
          onEvent({
            action: (ev.Action ?? ev.status ?? '').split(':')[0]!,
            containerId: ev.Actor?.ID ?? ev.id ?? '',
            labels: ev.Actor?.Attributes ?? {},
          });
        } catch {
          /* a partial line from a torn stream */
        }
      });
      const again = () => {
        if (current !== stream) return;
        current = undefined;
        retry();
      };
      stream.once('end', again);
      stream.once('close', again);
      stream.once('error', again);
    } catch {
      retry();
    }
  };
  const retry = () => {
    if (closed) return;
    const t = setTimeout(() => void connect(), delay);
    t.unref?.();
    delay = Math.min(delay * 2, 10_000);
  };
  void connect();
  return {
    close: () => {
      closed = true;
      current?.destroy();
    },
  };
}
