/**
 * Runs a callback once a response body is finished with (read to the end, failed, or cancelled),
 * so the request can drop its listener on the caller's signal at that moment: the caller's abort
 * still cancels a body being read, and nothing is left on the signal afterwards.
 */

/**
 * Returns `response`, or a copy whose body reports its end to `done`. `done` runs exactly once:
 * at once when there is no body, else when the body ends, errors or is cancelled.
 */
export function whenBodySettled(response: Response, done: () => void): Response {
  const source = response.body;
  if (!source) {
    done();
    return response;
  }
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    done();
  };
  const reader = source.getReader();
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const chunk = await reader.read();
          if (chunk.done) {
            finish();
            controller.close();
          } else {
            controller.enqueue(chunk.value);
          }
        } catch (error) {
          finish();
          controller.error(error);
        }
      },
      cancel(reason) {
        finish();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  const copy = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  // A constructed Response has no URL of its own; keep what fetch reported.
  Object.defineProperties(copy, {
    url: { value: response.url, enumerable: true },
    redirected: { value: response.redirected, enumerable: true },
  });
  return copy;
}
