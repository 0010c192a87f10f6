export interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The body as JSON (undefined when it is not JSON, as /metrics). */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** One request to the app's status API (of an AppHarness or an AppProcess), as curl would send it; a null token sends no Authorization. */
export async function callApi(
  harness: { readonly apiUrl: string },
  method: string,
  path: string,
  token: string | null,
): Promise<ApiAnswer> {
  const response = await fetch(`${harness.apiUrl}${path}`, { method, headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** A sample's value in Prometheus text ("name{labels} value"), 0 when absent. */
export function metricValue(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}
