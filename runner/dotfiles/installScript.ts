/** Install scripts looked for, in this order (those Codespaces and Dev Containers look for). */
export const INSTALL_SCRIPTS = [
  'install.sh',
  'install',
  'bootstrap.sh',
  'bootstrap',
  'script/bootstrap',
  'setup.sh',
  'setup',
  'script/setup',
];

/** Dotfiles in a repository that are about the repository, not the user's home. */
const NOT_LINKED = ['.git', '.github', '.gitignore', '.gitmodules', '.gitattributes', '.DS_Store'];

/**
 * Run as the remote user in the dotfiles folder: the configured install command, else the first
 * install script found, else every dotfile linked into $HOME (a file already there that is not a
 * link is kept beside it as NAME.devrig-backup).
 */
export function installCommand(folder: string, command?: string): string[] {
  const script = [
    'cd "$1" || exit 1',
    'if [ -n "$2" ]; then echo "running: $2"; exec /bin/sh -c "$2"; fi',
    `for f in ${INSTALL_SCRIPTS.join(' ')}; do`,
    '  [ -f "$f" ] || continue',
    '  echo "running $f"',
    '  chmod +x "$f" 2>/dev/null',
    '  if [ -x "$f" ]; then exec "./$f"; else exec /bin/sh "./$f"; fi',
    'done',
    'echo "no install script: linking dotfiles into $HOME"',
    'for f in .[!.]* ..?*; do',
    '  [ -e "$f" ] || [ -L "$f" ] || continue',
    `  case "$f" in ${NOT_LINKED.join('|')}) continue;; esac`,
    '  d="$HOME/$f"',
    '  if [ -e "$d" ] && [ ! -L "$d" ]; then mv -f "$d" "$d.devrig-backup" && echo "kept the old ~/$f as ~/$f.devrig-backup"; fi',
    '  ln -sfn "$PWD/$f" "$d" && echo "linked ~/$f"',
    'done',
  ].join('\n');
  return ['/bin/sh', '-c', script, 'devrig-dotfiles', folder, command ?? ''];
}

/** Where the dotfiles go: `~/x` is resolved against the user's home, relative paths too. */
export function targetFolder(targetPath: string | undefined, home: string): string {
  const h = home.replace(/\/+$/, '') || '/';
  const t = (targetPath ?? '~/dotfiles').trim();
  if (t === '~') return h;
  if (t.startsWith('~/')) return `${h}/${t.slice(2)}`;
  if (t.startsWith('/')) return t;
  return `${h}/${t}`;
}
