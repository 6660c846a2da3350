/** The Firebreak mark and name. The mark is decorative; the name is the accessible text. */
export function Brand() {
  return (
    <span className="brand">
      <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
        <rect width="32" height="32" rx="7" />
        <path d="M9 23V9h13v3.2h-9.3v2.6h8v3.1h-8V23z" />
      </svg>
      <span className="brand-name">Firebreak</span>
    </span>
  );
}
