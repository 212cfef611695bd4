// What the "from a Git URL" prompt accepts. Pure.

/** An error message for the input box, or undefined when `url` looks like something git can clone. */
export function validateGitUrl(url: string): string | undefined {
  const u = url.trim();
  if (!u) return 'Enter a repository URL';
  if (/\s/.test(u)) return 'A URL has no spaces';
  if (/^(https?|ssh|git):\/\/[^/]+\/.+/.test(u)) return undefined;
  if (/^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:.+/.test(u)) return undefined; // scp-like: git@github.com:org/repo.git
  return 'Use https://host/org/repo(.git), ssh://host/org/repo or git@host:org/repo.git';
}
