/** No credentials, or ones that match no configured token (401). */
export class AdminUnauthorizedError extends Error {
  constructor(
    message: string,
    /** The RFC 6750 error code for `WWW-Authenticate`, when credentials were presented. */
    readonly bearerError?: 'invalid_token' | 'invalid_request',
  ) {
    super(message);
    this.name = 'AdminUnauthorizedError';
  }
}

/** A valid token whose role may not do this (403). */
export class AdminForbiddenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminForbiddenError';
  }
}
