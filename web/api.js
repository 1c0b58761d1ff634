// Talking to the atlas's HTTP API: JSON in and out, problem+json errors turned into German
// messages the page can show next to what caused them.

import { problemText } from './messages.js';

/**
 * An error from the API: `status`, the problem+json body `problem` (with `code`, its English
 * `detail`, per-field `errors`) and a German `message` for the page. Given the problem's
 * `detail` as message (or none), the message is the German text of the problem's code.
 */
export class ApiError extends Error {
  constructor(message, status = 0, problem = null) {
    const fromServer = message === undefined || message === null || (problem !== null && message === problem.detail);
    super(fromServer ? problemText({ status, problem }) : message);
    this.status = status;
    this.problem = problem;
  }
}

async function parseProblem(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/**
 * Sends a request and parses the JSON answer; a non-2xx answer throws an ApiError. With
 * `withEtag` the result is { body, etag } (the ETag a later If-Match must name). A FormData
 * `body` is sent as multipart/form-data, anything else but a string as JSON. `credentials`
 * 'omit' sends no session cookie (what the public sees).
 */
export async function request(url, {
  method = 'GET', body, accept = 'application/json', headers = {}, withEtag = false, credentials = 'same-origin',
} = {}) {
  let response;
  const init = { method, headers: { Accept: accept, ...headers }, credentials };
  if (body instanceof FormData) {
    init.body = body;  // fetch writes the multipart Content-Type with its boundary
  } else if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers['Content-Type'] ??= 'application/json';
  }
  try {
    response = await fetch(url, init);
  } catch {
    throw new ApiError('Keine Verbindung zum Dienst.');
  }
  if (!response.ok) {
    const problem = await parseProblem(response);
    throw new ApiError(undefined, response.status, problem);
  }
  let parsed = null;
  if (response.status !== 204) {
    try {
      parsed = await response.json();
    } catch {
      throw new ApiError('unerwartete Antwort', response.status);
    }
  }
  return withEtag ? { body: parsed, etag: response.headers.get('ETag') } : parsed;
}

/** GETs `url` and parses its JSON body. */
export function fetchJson(url, accept = 'application/json') {
  return request(url, { accept });
}

/** The same without the session cookie: exactly what the public gets, signed in or not. */
export function fetchPublicJson(url, accept = 'application/json') {
  return request(url, { accept, credentials: 'omit' });
}
