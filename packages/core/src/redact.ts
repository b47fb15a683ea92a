// Database passwords must never reach a log line, an error or a report. Every string that leaves
// the process runner, the logger or an error goes through `redact`.

const MASK = '***';
const secrets = new Set<string>();

/** Remember a secret so it is masked wherever it appears later, even outside a URL. */
export function registerSecret(secret: string | undefined | null): void {
  if (!secret || secret.length < 3) return; // masking "a" everywhere would destroy output
  secrets.add(secret);
  try {
    const enc = encodeURIComponent(secret);
    if (enc !== secret) secrets.add(enc);
  } catch {
    /* lone surrogate: nothing to add */
  }
}

/** Register the password of a connection URL (if any) and return the URL unchanged. */
export function registerUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^@\s]*)@/i.exec(url);
  if (m?.[1]) {
    registerSecret(m[1]);
    try {
      registerSecret(decodeURIComponent(m[1]));
    } catch {
      /* malformed escape: the raw form is registered */
    }
  }
  return url;
}

const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s'"]*:)([^@\s'"]+)(@)/gi;
const KEY_VALUE = /\b(password|passwd|pgpassword|db_password|mysql_pwd)(["']?\s*[=:]\s*)(["']?)([^\s"',;&]+)\3/gi;
const JDBC_PARAM = /([?&;]password=)([^&;\s"']+)/gi;

export function redact(text: string): string {
  if (!text) return text;
  let out = text
    .replace(URL_PASSWORD, (_m, pre: string, _pw: string, at: string) => `${pre}${MASK}${at}`)
    .replace(JDBC_PARAM, (_m, pre: string) => `${pre}${MASK}`)
    .replace(KEY_VALUE, (_m, key: string, sep: string, q: string) => `${key}${sep}${q}${MASK}${q}`);
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(MASK);
  return out;
}

/** Deep-redact every string in a JSON-like value (reports, errors). */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactDeep) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v);
    return out as T;
  }
  return value;
}

/** For tests only. */
export function clearSecrets(): void {
  secrets.clear();
}
