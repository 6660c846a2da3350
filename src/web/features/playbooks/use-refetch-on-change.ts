import { useEffect, useRef } from 'react';

/**
 * Re-reads a query whenever the war room says the incident changed (its `changed` counter moves on
 * each live event for the incident), but not on the first render: the query has just been read.
 */
export function useRefetchOnChange(changed: number, refetch: () => unknown): void {
  const seen = useRef(changed);
  useEffect(() => {
    if (seen.current === changed) return;
    seen.current = changed;
    void refetch();
  }, [changed, refetch]);
}
