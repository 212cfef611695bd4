// What to offer once an environment the user asked for is running: reopen this window in it, open a new
// window, or a terminal — or do at once what the user said to always do for this folder. Pure: the glue
// (nextStepOffer.ts) shows it and acts.

export type NextStep = 'reopen' | 'newWindow' | 'terminal';
/** What the user chose to always do for a folder; `none`: offer nothing. */
export type RememberedStep = NextStep | 'none';

export interface NextStepFacts {
  /** The Remote - SSH extension is installed (Reopen and New Window need it). */
  remoteSsh: boolean;
  /** This window is inside the environment already (nothing to reopen). */
  inside: boolean;
  /** What the user chose to always do for this folder, if anything. */
  remembered: RememberedStep | undefined;
}

/** A button of the notification, or an entry of its "More…" list. */
export interface NextStepChoice {
  label: string;
  /** What it does now; `more` opens the list. */
  step?: NextStep | 'more';
  /** Also keep it as this folder's choice (`none`: never offer again). */
  remember?: RememberedStep;
  description?: string;
}

export type NextStepDecision =
  | { kind: 'none'; why: string }
  | { kind: 'do'; step: NextStep }
  | { kind: 'offer'; buttons: NextStepChoice[]; more: NextStepChoice[] };

const needsRemote = (step: NextStep) => step !== 'terminal';

export function decideNextStep(f: NextStepFacts): NextStepDecision {
  if (f.inside) return { kind: 'none', why: 'this window is in the environment' };
  if (f.remembered === 'none') return { kind: 'none', why: 'the user said not to offer it for this folder' };
  if (f.remembered && (f.remoteSsh || !needsRemote(f.remembered))) return { kind: 'do', step: f.remembered };
  // At most three short buttons (VS Code cuts long labels); everything else one click further.
  const more: NextStepChoice[] = f.remoteSsh
    ? [
        { label: 'Open in a New Window', step: 'newWindow' },
        { label: 'Always Reopen This Folder in Its Environment', step: 'reopen', remember: 'reopen' },
        { label: 'Always Open It in a New Window', step: 'newWindow', remember: 'newWindow' },
        { label: 'Always Open a Terminal', step: 'terminal', remember: 'terminal' },
      ]
    : [
        {
          label: 'Reopen in the Environment…',
          step: 'reopen',
          description: 'needs the Remote - SSH extension',
        },
        { label: 'Always Open a Terminal', step: 'terminal', remember: 'terminal' },
      ];
  more.push({ label: "Don't Offer This for This Folder", remember: 'none' });
  const buttons: NextStepChoice[] = f.remoteSsh
    ? [
        { label: 'Reopen', step: 'reopen' },
        { label: 'Terminal', step: 'terminal' },
        { label: 'More…', step: 'more' },
      ]
    : [
        { label: 'Open Terminal', step: 'terminal' },
        { label: 'More…', step: 'more' },
      ];
  return { kind: 'offer', buttons, more };
}

/** The notification's text. */
export function nextStepMessage(display: string, remoteSsh: boolean): string {
  return remoteSsh
    ? `devrig: ${display} is ready. Reopen this window in it?`
    : `devrig: ${display} is ready. Open a terminal in it?`;
}
