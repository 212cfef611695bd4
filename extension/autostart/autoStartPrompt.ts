// The question asked when a folder with a devcontainer config opens (devrig.autoStart: ask): at most
// three short buttons — VS Code cuts longer labels ("Create & …") — and a quick pick for the rest. Pure.

export type AutoStartAnswer = 'start' | 'startAndReopen' | 'notNow' | 'never';

export interface PromptChoice {
  label: string;
  /** `more` opens the quick pick of `more`. */
  answer: AutoStartAnswer | 'more';
  description?: string;
}

export interface AutoStartPrompt {
  message: string;
  buttons: PromptChoice[];
  more: PromptChoice[];
}

/** Labels longer than this get cut in a notification beside two others. */
export const MAX_BUTTON_LABEL = 16;

export function autoStartPrompt(
  what: 'create' | 'start',
  remoteSsh: boolean,
  display?: string,
): AutoStartPrompt {
  const message =
    what === 'create'
      ? 'This folder has a dev container configuration. Create a devrig environment for it and start it?'
      : `The devrig environment${display ? ` ${display}` : ''} for this folder is stopped. Start it?`;
  const verb = what === 'create' ? 'Create & Start' : 'Start';
  const reopen = what === 'create' ? 'Create & Reopen' : 'Start & Reopen';
  if (!remoteSsh) {
    return {
      message,
      buttons: [
        { label: verb, answer: 'start' },
        { label: 'Not Now', answer: 'notNow' },
        { label: "Don't Ask Again", answer: 'never' },
      ],
      more: [],
    };
  }
  return {
    message,
    buttons: [
      { label: verb, answer: 'start' },
      { label: reopen, answer: 'startAndReopen' },
      { label: 'More…', answer: 'more' },
    ],
    more: [
      { label: 'Not Now', answer: 'notNow', description: 'ask again next time this folder opens' },
      { label: "Don't Ask Again for This Folder", answer: 'never' },
    ],
  };
}
