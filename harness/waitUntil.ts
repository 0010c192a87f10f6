/** Polls until the condition holds; `what` may be a function, to describe the state at the timeout. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10000,
  what: string | (() => string) = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
