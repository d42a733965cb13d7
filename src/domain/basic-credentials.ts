/** The user and password of an HTTP Basic credential (RFC 7617). */
export interface BasicCredentials {
  user: string;
  password: string;
}

/**
 * Decodes the base64 token after `Basic `: the user is everything before the
 * first colon (a user may not contain one; a password may). Null without a colon.
 */
export function decodeBasicCredentials(token: string): BasicCredentials | null {
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
