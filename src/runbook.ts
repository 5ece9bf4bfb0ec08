/**
 * Where docs/runbook.md is published. Alert messages and the generated Kubernetes rules link to
 * `<base>#<alertname in lower case>` (GitHub's anchor for a `## AlertName` heading); set
 * MEMSNAP_RUNBOOK_BASE_URL (or the rules generator's --runbook-base-url) to your own copy.
 */
export const DEFAULT_RUNBOOK_BASE_URL = "https://github.com/memsnap/memsnap/blob/main/docs/runbook.md";

/** The runbook section of one alert: an absolute link a chat client can open. */
export function runbookUrl(baseUrl: string, alertname: string): string {
  return `${baseUrl.replace(/#.*$/, "")}#${alertname.toLowerCase()}`;
}
