// The log pane: the buffer's lines in a <pre>, following the end or paused, filtered by the search box
// with matches highlighted. Text only ever goes in as text nodes.

import { searchLines, splitMatches, type LogBuffer } from '../model/logBuffer';

export interface LogViewState {
  follow: boolean;
  search: string;
}

export class LogView {
  /** The lines on screen while paused (a paused view does not move). */
  private frozen: string[] | undefined;
  private frozenAt = 0;
  /** What the screen shows now. */
  private rendered?: { lines: readonly string[]; search: string; shown: number };
  private autoScrolling = false;

  constructor(
    private readonly pre: HTMLElement,
    private readonly buffer: LogBuffer,
    private readonly state: LogViewState,
    /** The user scrolled up while following: the page switches to paused. */
    private readonly onScrolledAway: () => void,
  ) {
    pre.addEventListener('scroll', () => {
      if (this.autoScrolling || !this.state.follow) return;
      const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      if (!atEnd) this.onScrolledAway();
    });
  }

  /** Lines received since the view was paused. */
  get pending(): number {
    return this.frozen ? this.buffer.received - this.frozenAt : 0;
  }

  /** Matches of the search in the lines on screen (lines when there is no search). */
  render(): { shown: number; total: number } {
    if (this.state.follow) this.frozen = undefined;
    else if (!this.frozen) {
      this.frozen = this.buffer.all();
      this.frozenAt = this.buffer.received;
    }
    const lines = this.frozen ?? this.buffer.all();
    const search = this.state.search;
    const pre = this.pre;
    // Paused on the same lines and search: what is on screen is still right (only "n new" changes).
    if (this.frozen && this.rendered?.lines === this.frozen && this.rendered.search === search) {
      return { shown: this.rendered.shown, total: lines.length };
    }
    let shown = lines.length;
    if (!search) {
      pre.textContent = lines.join('\n');
    } else {
      const matches = searchLines(lines, search);
      shown = matches.length;
      const frag = document.createDocumentFragment();
      for (const m of matches) {
        const row = document.createElement('div');
        row.className = 'log-line';
        const no = document.createElement('span');
        no.className = 'log-no';
        no.textContent = String(m.line);
        row.append(no);
        for (const piece of splitMatches(m.text, m.ranges)) {
          if (!piece.match) row.append(piece.text);
          else {
            const mark = document.createElement('mark');
            mark.textContent = piece.text;
            row.append(mark);
          }
        }
        frag.append(row);
      }
      pre.replaceChildren(frag);
    }
    pre.dataset.lines = String(lines.length);
    if (this.state.follow) {
      this.autoScrolling = true;
      pre.scrollTop = pre.scrollHeight;
      requestAnimationFrame(() => (this.autoScrolling = false));
    }
    this.rendered = { lines, search, shown };
    return { shown, total: lines.length };
  }
}
