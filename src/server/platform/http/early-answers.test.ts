import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { EarlyAnswers } from './early-answers.js';

const request = (method: string) => ({ method, url: '/status/acme' }) as IncomingMessage;
const response = {} as ServerResponse;

describe('early answers', () => {
  it('offers GETs to each answerer in turn until one answers, and nothing once the server is closing', () => {
    const asked: string[] = [];
    const answers = new EarlyAnswers();
    answers.add(() => {
      asked.push('first');
      return false;
    });
    answers.add((req) => {
      asked.push('second');
      return req.url === '/status/acme';
    });
    expect(answers.answer(request('GET'), response)).toBe(true);
    expect(asked).toEqual(['first', 'second']);
    // HEAD and every other method go to Fastify without asking anyone.
    for (const method of ['HEAD', 'POST', 'OPTIONS']) expect(answers.answer(request(method), response)).toBe(false);
    expect(asked).toHaveLength(2);
    answers.close();
    expect(answers.answer(request('GET'), response)).toBe(false);
    expect(asked).toHaveLength(2);
  });
});
