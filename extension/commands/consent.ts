// Asks once per environment (and per set of things asked) for the consent it waits for, in a modal that
// lists exactly what is requested, and records a yes in its spec through the shared read-modify-write.

import * as vscode from 'vscode';
import type { Environment } from '../../runner/api';
import { consentRequest, specAllowing } from '../../runner/client/consent';
import { updateEnvironmentSpec } from '../../runner/client/updateEnvironment';
import { consentPrompt } from '../environments/consentPrompt';
import type { Services } from '../services';
import { connectedClient } from './connected';

/** What was already asked in this window, by environment uid: the same question is not asked twice. */
const asked = new Map<string, string>();

/**
 * Shows the modal for what `env` waits for and records the answer. Returns the generation to follow
 * when the user allowed it; undefined when they did not, nothing can allow it, or this exact question
 * was already asked (unless `again`).
 */
export async function askForConsent(
  s: Services,
  env: Environment,
  opts: { again?: boolean } = {},
): Promise<number | undefined> {
  const request = consentRequest(env);
  if (!request) return undefined;
  const name = env.metadata.name;
  const prompt = consentPrompt(name, request);
  if (!opts.again && asked.get(env.metadata.uid) === prompt.signature) return undefined;
  asked.set(env.metadata.uid, prompt.signature);
  if (prompt.kind === 'forbidden') {
    await vscode.window.showErrorMessage(prompt.message, { modal: true, detail: prompt.detail });
    return undefined;
  }
  const choice = await vscode.window.showWarningMessage(
    prompt.message,
    { modal: true, detail: prompt.detail },
    prompt.allowLabel,
  );
  if (choice !== prompt.allowLabel) {
    s.log.info(`${name}: consent not given (${prompt.message})`);
    return undefined;
  }
  const client = await connectedClient(s);
  const applied = await updateEnvironmentSpec(client, name, (cur) => {
    if (!cur) throw new Error(`environment ${name} is gone`);
    return specAllowing(cur.spec, prompt.grant);
  });
  s.log.info(
    `${name}: allowed ${[...prompt.grant.allowances, ...(prompt.grant.initializeHash ? ['initializeCommand'] : [])].join(', ')} (generation ${applied.metadata.generation})`,
  );
  return applied.metadata.generation;
}
