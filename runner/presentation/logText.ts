// A log line as people should read it: terminal escapes removed, carriage-return progress collapsed to
// its last state, other control characters dropped. Pure, and free of Node APIs (the webview uses it).

// CSI (colours, cursor moves), OSC (titles, links) and two-byte escapes.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
// Other C0 controls except tab and newline; they would render as boxes.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;

export function cleanLogLine(line: string): string {
  const noAnsi = line.replace(ANSI, '');
  // `50%\r60%\r70%` is what a terminal would show as `70%`.
  const cr = noAnsi.lastIndexOf('\r', noAnsi.length - 2);
  const last = cr >= 0 ? noAnsi.slice(cr + 1) : noAnsi;
  return last.replace(CONTROL, '');
}
