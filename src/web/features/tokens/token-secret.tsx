import { SecretOnce } from '../../ui/secret-once.js';
import type { CreatedToken } from './tokens.api.js';

/** The new token's secret, shown once: Firebreak keeps only its hash. */
export function TokenSecret({ created, onDone }: { created: CreatedToken; onDone: () => void }) {
  return (
    <SecretOnce region="New API token" title={<>Token “{created.token.name}” created</>} label="Token secret" secret={created.secret} onDone={onDone}>
      <strong>Copy it now. You will not see this token again.</strong> Firebreak stores only a hash of it. Send it as <code>Authorization: Bearer &lt;token&gt;</code>.
    </SecretOnce>
  );
}
