import { describe, expect, it } from 'vitest';
import { postmortemTemplateSpecSchema } from '../../contracts/postmortems.js';
import { builtInTemplate, builtInTemplates, DEFAULT_TEMPLATE, sectionsFromTemplate } from './templates.js';

const keys = (handle: string) => builtInTemplate(handle)?.sections.map((s) => s.key);

describe('built-in templates', () => {
  it('ships standard, short and google-sre, standard being the default', () => {
    expect(builtInTemplates.map((t) => t.handle)).toEqual(['standard', 'short', 'google-sre']);
    expect(DEFAULT_TEMPLATE).toBe('standard');
    expect(builtInTemplate(DEFAULT_TEMPLATE)).toBeDefined();
  });

  it('keeps the issue’s order for the standard template', () => {
    expect(keys('standard')).toEqual(['summary', 'impact', 'timeline', 'root-cause', 'action-items', 'appendix']);
    expect(builtInTemplate('standard')?.sections.map((s) => s.title)).toEqual(['Summary', 'Impact', 'Timeline', 'Root cause', 'Action items', 'Appendix']);
  });

  it('has a one-page short form and the Google SRE layout', () => {
    expect(keys('short')).toEqual(['summary', 'root-cause', 'action-items']);
    expect(keys('google-sre')).toEqual(['summary', 'impact', 'root-causes', 'trigger', 'resolution', 'detection', 'action-items', 'lessons-learned', 'timeline', 'supporting-information']);
  });

  it('gives every section guidance, and each template passes the config-as-code schema', () => {
    for (const t of builtInTemplates) {
      for (const s of t.sections) expect(s.guidance.length, `${t.handle}/${s.key}`).toBeGreaterThan(20);
      expect(postmortemTemplateSpecSchema.safeParse({ title: t.title, description: t.description, sections: t.sections }).success).toBe(true);
    }
  });

  it('is frozen, so no caller can change the defaults for everyone', () => {
    expect(Object.isFrozen(builtInTemplates)).toBe(true);
    expect(Object.isFrozen(builtInTemplates[0]?.sections[0])).toBe(true);
  });

  it('returns undefined for an unknown handle', () => {
    expect(builtInTemplate('nope')).toBeUndefined();
  });
});

describe('sectionsFromTemplate', () => {
  it('starts every section empty, in the template’s order, guidance left out, internal kept', () => {
    expect(sectionsFromTemplate(builtInTemplate('short')!)).toEqual([
      { key: 'summary', title: 'Summary', body: '', internal: false },
      { key: 'root-cause', title: 'Root cause', body: '', internal: false },
      { key: 'action-items', title: 'Action items', body: '', internal: false },
    ]);
    expect(sectionsFromTemplate(builtInTemplate('standard')!).at(-1)).toEqual({ key: 'appendix', title: 'Appendix', body: '', internal: true });
  });

  it('takes stored templates whose internal flag is optional', () => {
    expect(sectionsFromTemplate({ sections: [{ key: 'notes', title: 'Notes' }] })).toEqual([{ key: 'notes', title: 'Notes', body: '', internal: false }]);
  });
});
