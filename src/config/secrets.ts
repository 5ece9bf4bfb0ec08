/** Setting names whose values are secrets, wherever they appear (YAML, JSON, key=value). */
const SECRET_KEY = /[A-Za-z0-9_]*(?:pass(?:word)?|token|secret|api_key|apikey|webhook_url|smtp_url)[A-Za-z0-9_]*/i
  .source;

/** user info in a URL: scheme://user:password@host */
const URL_USER_INFO: [RegExp, string] = [/([a-z][a-z0-9+.-]*:\/\/)[^\s/@"']+@/gi, "$1***@"];

const SECRET_VALUES: Array<[RegExp, string]> = [
  // "smtp_pass": "value" (JSON)
  [new RegExp(`("${SECRET_KEY}"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"?`, "gi"), '$1"***"'],
  // smtp_pass: value (YAML, also inside a quoted excerpt of a line)
  [new RegExp(`(^|[\\s{,'"|-])(${SECRET_KEY}\\s*[:=]\\s*)[^\\n,}]*`, "gim"), "$1$2***"],
];

const apply = (text: string, patterns: Array<[RegExp, string]>) =>
  patterns.reduce((masked, [pattern, replacement]) => masked.replace(pattern, replacement), text);

/** A message with the passwords of any URL it quotes replaced by ***. */
export function maskUrlUserInfo(text: string): string {
  return apply(text, [URL_USER_INFO]);
}

/**
 * A parser's message about a config file, which may quote its lines: the values of secret
 * settings (smtp_pass, api_token, webhook_url, …) and URL passwords replaced by ***.
 */
export function maskQuotedSecrets(text: string): string {
  return apply(text, [...SECRET_VALUES, URL_USER_INFO]);
}
