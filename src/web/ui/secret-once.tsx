import { useId, useRef, useState, type ReactNode } from 'react';

const wrap = { overflowWrap: 'anywhere', minWidth: 0 } as const;

/**
 * A secret shown this once (an API token, a webhook's signing secret): Firebreak keeps only its hash
 * or keeps it encrypted and never answers it again. A copy button, and the text selected on focus for
 * when the clipboard cannot be reached.
 */
export function SecretOnce({ region, title, label, secret, children, onDone }: { region: string; title: ReactNode; label: string; secret: string; children: ReactNode; onDone: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);

  async function copy() {
    input.current?.select();
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      // The clipboard API needs permission or a secure context; the text stays selected to copy by hand.
      setCopied('failed');
    }
  }

  return (
    <div className="secret-box" role="region" aria-label={region} style={wrap}>
      <h3 style={wrap}>{title}</h3>
      <p>{children}</p>
      <div className="secret-row" style={{ minWidth: 0 }}>
        <label htmlFor={inputId} className="visually-hidden">
          {label}
        </label>
        <input id={inputId} ref={input} className="secret-value" readOnly value={secret} onFocus={(event) => event.currentTarget.select()} spellCheck={false} style={{ flex: 1, minWidth: 0 }} />
        <button type="button" className="button button-primary" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p className="muted" role="status">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'failed' ? `Could not reach the clipboard: the ${label.toLowerCase()} is selected, copy it with your keyboard.` : ''}
      </p>
      <button type="button" className="button" onClick={onDone}>
        I have saved it
      </button>
    </div>
  );
}
