// Lit's styleMap writes a `style` attribute on first render, which a CSP without 'unsafe-inline'
// blocks. This sets the same properties through the CSSOM (element.style), which the CSP allows.

import { noChange } from 'lit';
import { Directive, directive, PartType, type ElementPart, type PartInfo } from 'lit/directive.js';

type Props = Record<string, string | undefined>;

class StyleProps extends Directive {
  private previous: Props = {};

  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ELEMENT)
      throw new Error('styleProps is an element directive: <x ${styleProps(...)}>');
  }

  render(_props: Props): unknown {
    return noChange;
  }

  override update(part: ElementPart, [props]: [Props]): unknown {
    const style = (part.element as HTMLElement).style;
    for (const key of Object.keys(this.previous)) if (!(key in props)) style.removeProperty(key);
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === '') style.removeProperty(key);
      else style.setProperty(key, value);
    }
    this.previous = props;
    return noChange;
  }
}

export const styleProps = directive(StyleProps);
