import { contactMethodTypeNames, type ContactMethodType } from '../../../contracts/notify.js';

/**
 * The words of the messages this module sends, as pure functions of their inputs. Subjects stay within
 * 50 characters and say what the message is: on SMS and push they are all a person sees at first.
 */

export interface MessageText {
  subject: string;
  text: string;
}

export interface VerificationMessageInput {
  code: string;
  personName: string;
  type: ContactMethodType;
  /** The address as the person sees it in Firebreak. */
  addressShown: string;
  expiresInMinutes: number;
  /** Where codes are entered: `<public URL>/settings/contact-methods`. */
  settingsUrl: string;
}

export function verificationMessage(input: VerificationMessageInput): MessageText {
  return {
    subject: `Firebreak verification code: ${input.code}`,
    text: [
      `Your Firebreak verification code is ${input.code}.`,
      '',
      `Enter it in Firebreak to confirm that notifications for ${input.personName} may be sent to ${input.addressShown} (${contactMethodTypeNames[input.type]}). The code expires in ${input.expiresInMinutes} minutes.`,
      '',
      `Enter the code at ${input.settingsUrl}`,
      '',
      'If you did not ask for this, ignore this message: nothing more is sent here unless the code is entered.',
    ].join('\n'),
  };
}

export interface TestMessageInput {
  personName: string;
  type: ContactMethodType;
  addressShown: string;
  /** ISO 8601 instant the test was asked for. */
  requestedAt: string;
  requestedBy: string;
  settingsUrl: string;
}

export function testMessage(input: TestMessageInput): MessageText {
  const at = `${input.requestedAt.slice(0, 16).replace('T', ' ')} UTC`;
  return {
    subject: 'Firebreak test notification',
    text: [
      `This is a test notification for ${input.personName}, asked for by ${input.requestedBy} at ${at}.`,
      '',
      `Pages will reach you here: ${input.addressShown} (${contactMethodTypeNames[input.type]}). Nothing needs doing.`,
      '',
      `Your contact methods and notification rules: ${input.settingsUrl}`,
    ].join('\n'),
  };
}
