import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../errors.js';

/** 429: the caller (a user, or an address before signing in) sent more requests than the window allows. */
export class RateLimitedError extends DomainError {
  constructor(limit: number, windowSeconds: number, retryAfterSeconds: number) {
    super(
      HttpStatus.TOO_MANY_REQUESTS,
      'RATE_LIMITED',
      `More than ${limit} requests in ${windowSeconds} s; retry after ${retryAfterSeconds} s`,
      { limit, windowSeconds, retryAfterSeconds },
    );
  }
}
