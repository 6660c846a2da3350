import type { ProviderKind } from '../../../contracts/providers.js';
import type { ProviderAdapter } from './provider-adapter.js';
import { smtpAdapter } from './smtp/smtp.adapter.js';

/**
 * Every provider kind Firebreak can deliver through. A kind missing here is refused by the API with a
 * clear error (it has not been built).
 */
export const providerAdapters: Partial<Record<ProviderKind, ProviderAdapter>> = {
  smtp: smtpAdapter,
};
