/**
 * The user's login shell inside the environment: their passwd entry's shell, else
 * bash, else sh. Run through /bin/sh so it works in images without bash.
 */
export function loginShellCommand(): string[] {
  return [
    '/bin/sh',
    '-c',
    'u=$(id -un 2>/dev/null); s=$(getent passwd "$u" 2>/dev/null | cut -d: -f7); ' +
      '[ -n "$s" ] && [ -x "$s" ] || s=$(command -v bash || echo /bin/sh); ' +
      'export SHELL="$s"; exec "$s" -l',
  ];
}

/** A command line run the way sshd runs it: through the user's shell with -c. */
export function shellCommand(command: string): string[] {
  return [
    '/bin/sh',
    '-c',
    'u=$(id -un 2>/dev/null); s=$(getent passwd "$u" 2>/dev/null | cut -d: -f7); ' +
      '[ -n "$s" ] && [ -x "$s" ] || s=/bin/sh; export SHELL="$s"; exec "$s" -c "$1"',
    'devrig-session',
    command,
  ];
}
