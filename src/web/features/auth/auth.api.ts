import type { z } from 'zod';
import type { changePasswordBody, loginBody, SessionInfo, setupStatus, totpSetupResult } from '../../../contracts/auth.js';
import type { User } from '../../../contracts/users.js';
import { api } from '../../api/client.js';

export type LoginInput = z.input<typeof loginBody>;
export type SetupStatus = z.infer<typeof setupStatus>;
export type TotpSetup = z.infer<typeof totpSetupResult>;
export type ChangePasswordInput = z.input<typeof changePasswordBody>;

export const setupStatusQuery = {
  queryKey: ['setup-status'] as const,
  queryFn: () => api.get<SetupStatus>('/setup'),
  staleTime: 60_000,
};

export const authApi = {
  login: (input: LoginInput) => api.post<SessionInfo>('/auth/login', input),
  logout: () => api.post<void>('/auth/logout'),
  changePassword: (input: ChangePasswordInput) => api.post<void>('/auth/password', input),
  startTotp: () => api.post<TotpSetup>('/auth/totp/setup'),
  enableTotp: (code: string) => api.post<void>('/auth/totp/enable', { code }),
  disableTotp: (password: string) => api.post<void>('/auth/totp/disable', { password }),
  updateMe: (input: { name?: string; timeZone?: string }) => api.patch<User>('/me', input),
};
