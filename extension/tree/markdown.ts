// Markdown text for tooltips, with everything that comes from resources escaped (a condition message
// must not turn into a link or a command). Pure.

/** Escapes text so markdown shows it literally. */
export function mdText(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, (c) => '\\' + c).replace(/\r?\n/g, '  \n');
}

/** Inline code, with a fence long enough for any backticks inside. */
export function mdCode(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((s) => s.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\r?\n/g, ' ')}${pad}${fence}`;
}
