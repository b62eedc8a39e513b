// Rendering helpers. Everything that comes from the chain or an oracle (proposal titles and descriptions, device
// models, error messages) is attacker-controlled text: `html` escapes every interpolated value unless it is a
// `Safe` produced by `html` itself (or `raw` for markup this file builds, such as SVG).

export class Safe {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };

export function escape(v: unknown): string {
  return String(v ?? "").replace(/[&<>"'`]/g, (c) => ESC[c]);
}

type Part = Safe | string | number | bigint | boolean | null | undefined | Part[];

function render(v: Part): string {
  if (v instanceof Safe) return v.value;
  if (Array.isArray(v)) return v.map(render).join("");
  if (v === null || v === undefined || v === false) return "";
  return escape(v);
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Safe {
  let out = strings[0];
  values.forEach((v, i) => (out += render(v) + strings[i + 1]));
  return new Safe(out);
}

/** Markup built by this app from numbers and constants only (never from chain text). */
export const raw = (s: string) => new Safe(s);

export function mount(el: Element, content: Safe): void {
  el.innerHTML = content.value;
}

export const $ = <T extends Element = HTMLElement>(sel: string, root: ParentNode = document): T => {
  const el = root.querySelector<T>(sel);
  if (!el) throw new Error(`missing element ${sel}`);
  return el;
};

// ---------- numbers ----------

/** uemc (integer string) → "1,234.5678 EMC" with up to 6 decimals, exact (BigInt). */
export function emc(uemc: string | bigint | number | undefined | null, decimals = 6, symbol = "EMC"): string {
  const v = BigInt(uemc ?? 0);
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const base = 10n ** BigInt(decimals);
  const whole = (abs / base).toLocaleString("en-US");
  let frac = (abs % base).toString().padStart(decimals, "0").replace(/0+$/, "");
  if (frac.length > 4 && abs >= base) frac = frac.slice(0, 4);
  return `${neg ? "-" : ""}${whole}${frac ? "." + frac : ""} ${symbol}`;
}

/** "12.5" EMC (user input) → uemc string; throws a readable error on bad input. */
export function toUemc(input: string, decimals = 6): string {
  const s = input.trim();
  if (!/^\d+(\.\d+)?$/.test(s)) throw new Error(`"${input}" is not an amount`);
  const [w, f = ""] = s.split(".");
  if (f.length > decimals) throw new Error(`at most ${decimals} decimals`);
  const v = BigInt(w) * 10n ** BigInt(decimals) + BigInt(f.padEnd(decimals, "0") || "0");
  if (v === 0n) throw new Error("the amount must be more than 0");
  return v.toString();
}

export function pct(part: bigint, whole: bigint, digits = 1): string {
  if (whole === 0n) return "0%";
  const scaled = Number((part * 10n ** BigInt(digits + 2)) / whole) / 10 ** digits;
  return `${scaled.toFixed(digits)}%`;
}

/** A cosmwasm Timestamp (unix nanoseconds as a string) → Date. */
export const tsDate = (nanos: string | number | null | undefined): Date | null =>
  nanos === null || nanos === undefined ? null : new Date(Number(BigInt(nanos) / 1_000_000n));

export function when(nanos: string | null | undefined): string {
  const d = tsDate(nanos);
  return d ? d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC") : "—";
}

export function shortAddr(a: string): string {
  return a.length > 20 ? `${a.slice(0, 10)}…${a.slice(-6)}` : a;
}

export function errorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  // Contract errors arrive wrapped in the SDK's text; keep the part a person can act on.
  const m = msg.match(/execute wasm contract failed: (.*?)(?:: execute wasm contract failed)?(?: \[|$)/);
  return (m ? m[1] : msg).slice(0, 600);
}

// ---------- notices ----------

export function notify(kind: "ok" | "error" | "info", text: string, testId = "notice"): void {
  const el = document.getElementById("notice");
  if (!el) return;
  const item = document.createElement("div");
  item.className = `notice ${kind}`;
  item.dataset.testid = testId;
  item.textContent = text;
  el.replaceChildren(item);
}
