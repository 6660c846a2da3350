import type { z } from 'zod';
import type { SessionInfo, setupBody } from '../../../contracts/auth.js';
import { api } from '../../api/client.js';

export type SetupInput = z.input<typeof setupBody>;

/** Creates the first owner with the one-time token from the server log; signs them in. */
export const completeSetup = (input: SetupInput) => api.post<SessionInfo>('/setup', input);
