import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Answers a request before Fastify's router sees it, or leaves it alone. An answerer either answers
 * completely (status, every header, body) and returns true, or touches nothing and returns false, so
 * Fastify answers the request as if no answerer existed. An answerer of POSTs decides from the method
 * and URL alone, then owns the request: it reads the body and answers whatever it holds.
 */
export type EarlyAnswer = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * The few hottest paths answered ahead of the framework: the status pages' public documents under the
 * traffic an outage brings (GET, ADR 0042) and PagerDuty Events API v2 intake (POST, ADR 0045). Only
 * the method an answerer was added for is offered to it; HEAD, every other method and anything an
 * answerer declines go through Fastify as usual. Closed once the server starts closing, so Fastify's
 * 503 answers during shutdown apply to these paths too.
 */
export class EarlyAnswers {
  private readonly answerers: Record<'GET' | 'POST', EarlyAnswer[]> = { GET: [], POST: [] };
  private open = true;

  add(answerer: EarlyAnswer, method: 'GET' | 'POST' = 'GET'): void {
    this.answerers[method].push(answerer);
  }

  close(): void {
    this.open = false;
  }

  answer(request: IncomingMessage, response: ServerResponse): boolean {
    if (!this.open || (request.method !== 'GET' && request.method !== 'POST')) return false;
    for (const answerer of this.answerers[request.method]) if (answerer(request, response)) return true;
    return false;
  }
}
