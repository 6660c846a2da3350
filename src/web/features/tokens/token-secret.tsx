import { useRef, useState } from 'react';
import type { CreatedToken } from './tokens.api.js';

/** The new token's secret, shown once: Firebreak keeps only its hash. */
export function TokenSecret({ created, onDone }: { created: CreatedToken; onDone: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);

  async function copy() {
    input.current?.select();
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopied('yes');
    } catch {
      // The clipboard API needs permission or a secure context; the text stays selected to copy by hand.
      setCopied('failed');
    }
  }

  return (
    <div className="secret-box" role="region" aria-label="New API token">
      <h3>Token “{created.token.name}” created</h3>
      <p>
        <strong>Copy it now. You will not see this token again.</strong> Firebreak stores only a hash of it. Send it as <code>Authorization: Bearer &lt;token&gt;</code>.
      </p>
      <div className="secret-row">
        <label htmlFor="token-secret" className="visually-hidden">
          Token secret
        </label>
        <input id="token-secret" ref={input} className="secret-value" readOnly value={created.secret} onFocus={(event) => event.currentTarget.select()} spellCheck={false} />
        <button type="button" className="button button-primary" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p className="muted" role="status">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'failed' ? 'Could not reach the clipboard: the token is selected, copy it with your keyboard.' : ''}
      </p>
      <button type="button" className="button" onClick={onDone}>
        I have saved it
      </button>
    </div>
  );
}
