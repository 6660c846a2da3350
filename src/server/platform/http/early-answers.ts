import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Answers a request before Fastify's router sees it, or leaves it alone. An answerer either answers
 * completely (status, every header, body) and returns true, or touches nothing and returns false, so
 * Fastify answers the request as if no answerer existed.
 */
export type EarlyAnswer = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * The few hot, read-only public documents answered from memory ahead of the framework (ADR 0042): the
 * status pages under the traffic an outage brings. Only GET requests are offered; HEAD, every other
 * method and anything an answerer declines go through Fastify as usual. Closed once the server starts
 * closing, so Fastify's 503 answers during shutdown apply to these paths too.
 */
export class EarlyAnswers {
  private readonly answerers: EarlyAnswer[] = [];
  private open = true;

  add(answerer: EarlyAnswer): void {
    this.answerers.push(answerer);
  }

  close(): void {
    this.open = false;
  }

  answer(request: IncomingMessage, response: ServerResponse): boolean {
    if (!this.open || request.method !== 'GET') return false;
    for (const answerer of this.answerers) if (answerer(request, response)) return true;
    return false;
  }
}
