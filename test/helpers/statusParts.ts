// Records what an add-on patches into its part of an Environment's status, flattened as
// { field: value | null (cleared), conditions: { Type: condition | null (removed) } }.

import type {
  AutomationStatus,
  Condition,
  PortStatus,
  StatusPatch,
  StatusWriter,
  TypedConditionInput,
} from '../../runner/api';
import type { StatusPartSink } from '../../runner/store/statusPatcher';

export interface RecordedPart {
  automations?: AutomationStatus[];
  ports?: PortStatus[];
  lastActivity?: string | null;
  idleStopAt?: string | null;
  conditions?: Record<string, TypedConditionInput | Condition | null | undefined>;
}

export function recordParts<W extends StatusWriter>(): { parts: RecordedPart[]; sink: StatusPartSink<W> } {
  const parts: RecordedPart[] = [];
  const sink: StatusPartSink<W> = {
    patch: (_name, patch: StatusPatch<W>) => {
      const part: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(patch.fields ?? {})) part[k] = v === undefined ? null : v;
      if (patch.conditions) part.conditions = patch.conditions;
      parts.push(part as RecordedPart);
    },
  };
  return { parts, sink };
}
