import type { CSSProperties } from 'react';

/**
 * A person's colour on timelines: one of ten hues picked to look distinct from each other (HSL
 * greens 20° apart look alike, so the hues are not evenly spaced, and the reds that mean "no one on
 * call" are left out) in one of two shades, 20 in all, chosen from their user id so it is the same
 * on every page and every visit. The stylesheet turns it into a pale fill with dark text (light
 * theme) or a deep fill with light text (dark theme): at least 8:1 and 6:1 contrast, where WCAG
 * AA asks 4.5:1. The person's name is always written on the bar, so colour is never the only cue.
 */
const hues = [30, 50, 90, 140, 175, 200, 225, 255, 285, 315] as const;

function hash(text: string): number {
  // FNV-1a with a final avalanche, so ids that differ only in their last characters spread out.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

export function personColour(userId: string): { hue: number; shade: 0 | 1 } {
  const h = hash(userId);
  return { hue: hues[h % hues.length] ?? hues[0], shade: ((h >>> 8) & 1) as 0 | 1 };
}

export function personStyle(userId: string): CSSProperties {
  const { hue, shade } = personColour(userId);
  return { '--person-hue': hue, '--person-shade': shade } as CSSProperties;
}
