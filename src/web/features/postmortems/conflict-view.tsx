import { useState } from 'react';
import { FormAlert } from '../../ui/field.js';
import { applyResolutions, handMergeStart, headerLabels, type Conflict, type ConflictField, type EditableDoc, type MergeResult, type Resolution } from './conflict-merge.js';

export interface ConflictState {
  result: MergeResult;
  theirs: EditableDoc;
  theirsVersion: number;
  by: string[];
  fields: string[];
}

const fieldLabel = (field: string, theirs: EditableDoc) =>
  field in headerLabels ? headerLabels[field as keyof typeof headerLabels] : field === 'title' ? 'Title' : field === 'tags' ? 'Tags' : field === 'noActionItemsReason' ? 'Why no action items' : field.startsWith('sections.') ? (theirs.sections.find((s) => `sections.${s.key}` === field)?.title ?? field.slice(9)) : field;

/**
 * Shown when a save answered 409: someone saved since this page loaded. Parts only they changed are
 * already taken; for each part both changed, their version and mine side by side with "Keep mine",
 * "Take theirs" and "Merge by hand". Saving sends the settled document against their version.
 */
export function ConflictView({ state, pending, error, onSave, onDiscard }: { state: ConflictState; pending: boolean; error: unknown; onSave: (doc: EditableDoc) => void; onDiscard: () => void }) {
  const [resolutions, setResolutions] = useState<Map<ConflictField, Resolution>>(new Map());
  const { result, theirs } = state;
  const unsettled = result.conflicts.filter((c) => !resolutions.has(c.field));
  const set = (field: ConflictField, resolution: Resolution) => setResolutions((current) => new Map(current).set(field, resolution));
  return (
    <section className="card pm-conflict" aria-label="Conflicting changes" role="alertdialog" aria-describedby="pm-conflict-intro">
      <div className="card-header">
        <h2>Someone else saved this postmortem</h2>
      </div>
      <p id="pm-conflict-intro">
        {state.by.length > 0 ? state.by.join(', ') : 'Another writer'} saved version {state.theirsVersion} while you were editing. Nothing has been lost: your text is still here.
        {result.conflicts.length > 0 ? ` You both changed ${result.conflicts.length === 1 ? 'one part' : `${result.conflicts.length} parts`}; choose what to keep for each, then save.` : ' Your changes do not overlap theirs; save to combine them.'}
      </p>
      {result.tookTheirs.length > 0 && <p className="small">Taken from their version (you did not change these): {result.tookTheirs.map((f) => fieldLabel(f, theirs)).join(', ')}.</p>}
      {result.conflicts.map((conflict) => (
        <ConflictRow key={conflict.field} conflict={conflict} resolution={resolutions.get(conflict.field)} onResolve={(r) => set(conflict.field, r)} />
      ))}
      <FormAlert error={error} />
      <div className="form-actions">
        <button type="button" className="button button-primary" disabled={pending || unsettled.length > 0} onClick={() => onSave(applyResolutions(result, theirs, resolutions))}>
          {pending ? 'Saving…' : 'Save merged version'}
        </button>
        <button type="button" className="button" onClick={onDiscard} disabled={pending}>
          Discard my changes
        </button>
        {unsettled.length > 0 && <span className="small muted">Still to choose: {unsettled.map((c) => c.label).join(', ')}</span>}
      </div>
    </section>
  );
}

function ConflictRow({ conflict, resolution, onResolve }: { conflict: Conflict; resolution: Resolution | undefined; onResolve: (resolution: Resolution) => void }) {
  const choice = resolution?.choice;
  return (
    <div className="pm-conflict-row" role="group" aria-label={`Conflict in ${conflict.label}`}>
      <h3>{conflict.label}</h3>
      <div className="pm-conflict-sides">
        <div>
          <p className="small muted">Theirs (saved)</p>
          <pre className="pm-conflict-text" aria-label={`Their ${conflict.label}`}>
            {conflict.theirs ?? '(they removed this section)'}
          </pre>
        </div>
        <div>
          <p className="small muted">Yours (not saved)</p>
          <pre className="pm-conflict-text" aria-label={`Your ${conflict.label}`}>
            {conflict.mine ?? '(you removed this section)'}
          </pre>
        </div>
      </div>
      <div className="row-buttons">
        <button type="button" className="button button-small" aria-pressed={choice === 'mine'} onClick={() => onResolve({ choice: 'mine' })}>
          Keep mine
        </button>
        <button type="button" className="button button-small" aria-pressed={choice === 'theirs'} onClick={() => onResolve({ choice: 'theirs' })}>
          Take theirs
        </button>
        <button type="button" className="button button-small" aria-pressed={choice === 'hand'} onClick={() => onResolve({ choice: 'hand', text: handMergeStart(conflict) })}>
          Merge by hand
        </button>
      </div>
      {resolution?.choice === 'hand' && (
        <div className="field">
          <label htmlFor={`merge-${conflict.field}`}>Merged {conflict.label}</label>
          <textarea id={`merge-${conflict.field}`} className="pm-textarea" rows={8} value={resolution.text} onChange={(event) => onResolve({ choice: 'hand', text: event.target.value })} />
        </div>
      )}
    </div>
  );
}
