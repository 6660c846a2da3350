import { ContactMethodsSection } from './contact-methods-section.js';
import { NotificationHistorySection } from './notification-history.js';
import { NotificationRulesSection } from './notification-rules-editor.js';
import { NotificationSettingsSection } from './notification-settings-form.js';
import { PushDeviceSetup } from './push-device-setup.js';
import { TestPageSection } from './test-page-section.js';
import './contact-methods.css';

/** Settings → Contact methods: how the signed-in person is reached, in what order, and when not. */
export function ContactMethodsPage() {
  return (
    <>
      <ContactMethodsSection />
      <PushDeviceSetup />
      <NotificationRulesSection />
      <TestPageSection />
      <NotificationSettingsSection />
      <NotificationHistorySection />
    </>
  );
}
